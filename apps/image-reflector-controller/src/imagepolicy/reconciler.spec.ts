import { describe, expect, it } from 'vitest';
import type { ImagePolicy } from '@flux-ts/api';
import {
  composeImagePolicyReadyMessage,
  imagePolicyInterval,
  imageRefString,
  imageRepositoryKey,
} from './reconciler.ts';

const policy = (status: ImagePolicy['status'], spec: Partial<ImagePolicy['spec']> = {}): ImagePolicy => ({
  apiVersion: 'image.toolkit.fluxcd.io/v1',
  kind: 'ImagePolicy',
  metadata: { name: 'p', namespace: 'apps' },
  spec: { imageRepositoryRef: { name: 'repo' }, policy: { semver: { range: '*' } }, ...spec },
  ...(status ? { status } : {}),
});

describe('ImagePolicy helpers', () => {
  it('composes upstream Ready messages', () => {
    expect(composeImagePolicyReadyMessage(policy({ latestRef: { name: 'ghcr.io/a', tag: '1.0.0' } }))).toBe(
      'Latest image tag for ghcr.io/a resolved to 1.0.0',
    );
    expect(
      composeImagePolicyReadyMessage(
        policy({
          latestRef: { name: 'ghcr.io/a', tag: '1.1.0', digest: 'sha256:bb' },
          observedPreviousRef: { name: 'ghcr.io/a', tag: '1.0.0', digest: 'sha256:aa' },
        }),
      ),
    ).toBe(
      'Latest image tag for ghcr.io/a resolved to 1.1.0 with digest sha256:bb (previously ghcr.io/a:1.0.0@sha256:aa)',
    );
    expect(
      composeImagePolicyReadyMessage(
        policy({ latestRef: { name: 'a', tag: '1' }, observedPreviousRef: { name: 'a', tag: '1' } }),
      ),
    ).toBe('Latest image tag for a resolved to 1');
  });
  it('formats refs, index keys and intervals', () => {
    expect(imageRefString({ name: 'a', tag: '1', digest: 'sha256:x' })).toBe('a:1@sha256:x');
    expect(imageRepositoryKey(policy(undefined))).toBe('apps/repo');
    expect(imageRepositoryKey(policy(undefined, { imageRepositoryRef: { name: 'r', namespace: 'other' } }))).toBe(
      'other/r',
    );
    expect(imagePolicyInterval(policy(undefined))).toBe(0);
    expect(imagePolicyInterval(policy(undefined, { digestReflectionPolicy: 'Always', interval: '2m' }))).toBe(120_000);
  });
});
