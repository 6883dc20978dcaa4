import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { startTestEnv, type TestEnv } from '@flux-ts/testing';
import type { KubeObject } from '@flux-ts/runtime';
import { main } from '../../main.ts';
import type { CliIO } from '../../io.ts';

const NS = 'cli-diff';

let env: TestEnv;
let repo: string;

const kustomization = (
  name: string,
  path: string,
  labels?: Record<string, string>,
): KubeObject & { spec: Record<string, unknown> } => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: NS, ...(labels ? { labels } : {}) },
  spec: { interval: '5m', path, prune: false, sourceRef: { kind: 'GitRepository', name: 'repo' } },
});

beforeAll(async () => {
  env = await startTestEnv({ namespaces: [NS], dirPrefix: 'flux-ts-cli-diff-' });
  // A local checkout of the GitRepository: the parent's path holds the child Kustomization, the child's a ConfigMap.
  repo = mkdtempSync(join(tmpdir(), 'flux-ts-cli-diff-repo-'));
  mkdirSync(join(repo, 'clusters', 'dev'), { recursive: true });
  mkdirSync(join(repo, 'apps'), { recursive: true });
  writeFileSync(
    join(repo, 'clusters', 'dev', 'child.yaml'),
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: child\n  namespace: ${NS}\nspec:\n  interval: 5m\n  path: ./apps\n  prune: false\n  sourceRef:\n    kind: GitRepository\n    name: repo\n`,
  );
  writeFileSync(
    join(repo, 'apps', 'cm.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n  namespace: ${NS}\ndata:\n  hello: world\n`,
  );
  await env.client.create(kustomization('parent', './clusters/dev'));
  await env.client.create(
    kustomization('child', './apps', {
      'kustomize.toolkit.fluxcd.io/name': 'parent',
      'kustomize.toolkit.fluxcd.io/namespace': NS,
    }),
  );
}, 60_000);

afterAll(async () => {
  await env?.close();
  rmSync(repo, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    env: { KUBECONFIG: env.kubeconfigPath },
    cwd: repo,
    stdin: Readable.from([]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal: new AbortController().signal,
  };
  const code = await main(args, io);
  return { code, out, err };
}

describe('flux-ts diff kustomization --recursive', { timeout: 30_000 }, () => {
  it('diffs the nested Kustomization from its local source, as flux', async () => {
    const r = await run([
      'diff',
      'ks',
      'parent',
      '-n',
      NS,
      '--path=./clusters/dev',
      '--recursive',
      `--local-sources=GitRepository/${NS}/repo=.`,
    ]);
    expect(r.err).toBe('⚠️ identified at least one change, exiting with non-zero exit code\n');
    expect(r.out).toBe(`📁 Kustomization/${NS}/child changed\n► ConfigMap/${NS}/greeting created\n`);
    expect(r.code).toBe(1);
    // Without -r only the parent's own objects are compared: the child Kustomization is unchanged.
    const flat = await run(['diff', 'ks', 'parent', '-n', NS, '--path=./clusters/dev']);
    expect(flat.out).toBe('');
    expect(flat.err).toBe('');
    expect(flat.code).toBe(0);
  });

  it('fails on a nested source missing from --local-sources', async () => {
    const r = await run(['diff', 'ks', 'parent', '-n', NS, '--path=./clusters/dev', '-r']);
    expect(r.err).toBe(`✗ cannot get local path for GitRepository/${NS}/repo of kustomization child\n`);
    expect(r.code).toBe(2);
  });
});
