import { describe, expect, it } from 'vitest';
import type { GitRepository } from '@flux-ts/api';
import {
  contentConfigChanged,
  includeEqual,
  includeFromPath,
  includeToPath,
  includesDiffer,
  requiresVerification,
  shortMessage,
  verificationMode,
} from './content-config.ts';

const art = (revision: string, digest = `sha256:${revision}`) => ({
  path: 'p',
  url: 'u',
  revision,
  digest,
  lastUpdateTime: '2026-01-01T00:00:00Z',
});

function repo(spec: Partial<GitRepository['spec']>, status: GitRepository['status'] = {}): GitRepository {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'r', namespace: 'default' },
    spec: { url: 'https://example.com/r.git', interval: '1m', ...spec },
    status,
  };
}

describe('content configuration', () => {
  it('is unchanged when nothing differs from the observed state', () => {
    expect(contentConfigChanged(repo({}), [], false)).toBe(false);
    expect(contentConfigChanged(repo({ ignore: 'x' }, { observedIgnore: 'x' }), [], false)).toBe(false);
  });

  it('changes with ignore, submodules, sparse checkout or verification', () => {
    expect(contentConfigChanged(repo({ ignore: 'x' }), [], false)).toBe(true);
    expect(contentConfigChanged(repo({}, { observedIgnore: 'x' }), [], false)).toBe(true);
    expect(contentConfigChanged(repo({ recurseSubmodules: true }), [], false)).toBe(true);
    expect(contentConfigChanged(repo({ sparseCheckout: ['a'] }, { observedSparseCheckout: ['b'] }), [], false)).toBe(
      true,
    );
    expect(contentConfigChanged(repo({ sparseCheckout: ['a'] }, { observedSparseCheckout: ['a'] }), [], false)).toBe(
      false,
    );
    const verify = { mode: 'HEAD' as const, secretRef: { name: 'k' } };
    expect(contentConfigChanged(repo({ verify }), [], true)).toBe(true);
    expect(contentConfigChanged(repo({ verify }, { sourceVerificationMode: 'HEAD' }), [], true)).toBe(false);
    expect(contentConfigChanged(repo({ verify }, { sourceVerificationMode: 'HEAD' }), [], false)).toBe(true);
  });

  it('changes when an include or an included artifact changes', () => {
    const include = [{ repository: { name: 'lib' }, toPath: 'vendor' }];
    const status = { observedInclude: include, includedArtifacts: [art('main@sha1:1')] };
    expect(contentConfigChanged(repo({ include }, status), [art('main@sha1:1')], false)).toBe(false);
    expect(contentConfigChanged(repo({ include }, status), [art('main@sha1:2')], false)).toBe(true);
    expect(contentConfigChanged(repo({ include }, status), [art('main@sha1:1', 'sha256:other')], false)).toBe(true);
    expect(
      contentConfigChanged(
        repo({ include: [{ repository: { name: 'lib' }, toPath: 'x' }] }, status),
        [art('main@sha1:1')],
        false,
      ),
    ).toBe(true);
    expect(contentConfigChanged(repo({}, status), [], false)).toBe(true);
  });

  it('compares include sets by length and revisions', () => {
    expect(includesDiffer([], undefined)).toBe(false);
    expect(includesDiffer([art('a')], undefined)).toBe(true);
    expect(includesDiffer([art('a'), art('b')], [art('b'), art('a')])).toBe(false);
    expect(includesDiffer([art('a')], [art('c')])).toBe(true);
  });

  it('folds the head alias and detects a removed verification', () => {
    expect(verificationMode(repo({ verify: { mode: 'head', secretRef: { name: 'k' } } }))).toBe('HEAD');
    expect(verificationMode(repo({}))).toBeUndefined();
    expect(requiresVerification(repo({}, { sourceVerificationMode: 'HEAD' }), false)).toBe(true);
    expect(requiresVerification(repo({}), false)).toBe(false);
  });

  it('defaults include paths like Flux and compares includes as written', () => {
    expect(includeToPath({ repository: { name: 'lib' } })).toBe('lib');
    expect(includeToPath({ repository: { name: 'lib' }, toPath: 'v/l' })).toBe('v/l');
    expect(includeFromPath({ repository: { name: 'lib' } })).toBe('');
    expect(includeEqual({ repository: { name: 'a' } }, { repository: { name: 'a' } })).toBe(true);
    expect(includeEqual({ repository: { name: 'a' } }, { repository: { name: 'a' }, fromPath: 'x' })).toBe(false);
    expect(includeEqual({ repository: { name: 'a' } }, undefined)).toBe(false);
  });

  it('shortens commit messages to their first line and 50 characters', () => {
    expect(shortMessage('fix: thing\n\nbody')).toBe('fix: thing');
    expect(shortMessage('x'.repeat(60))).toBe(`${'x'.repeat(50)}...`);
    expect(shortMessage('')).toBe('');
  });
});
