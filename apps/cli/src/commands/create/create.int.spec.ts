import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshGitServer } from '@flux-ts/testbed';
import { startTestEnv, until, type TestEnv } from '@flux-ts/testing';
import type { KubeObject } from '@flux-ts/runtime';
import { main } from '../../main.ts';
import type { CliIO } from '../../io.ts';

const NS = 'cli-create';
const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };

type GitRepository = KubeObject & {
  metadata: { generation?: number; labels?: Record<string, string> };
  spec: { url: string; interval: string; ref: Record<string, string>; secretRef?: { name: string } };
  status?: Record<string, unknown>;
};

let env: TestEnv;

beforeAll(async () => {
  env = await startTestEnv({ namespaces: [NS], dirPrefix: 'flux-ts-cli-create-' });
});

afterAll(async () => {
  await env.close();
});

function bufferIO(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    env: { KUBECONFIG: env.kubeconfigPath },
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

/** A stub source-controller: once the object exists, marks it Ready with an artifact (nothing reconciles here). */
async function reconcileOnce(name: string): Promise<void> {
  const repo = await until(
    `GitRepository ${name}`,
    () => env.client.get<GitRepository>(GIT, { namespace: NS, name }),
    20_000,
  );
  await env.client.updateStatus({
    ...repo,
    status: {
      observedGeneration: repo.metadata.generation,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Succeeded',
          message: 'stored artifact for revision',
          observedGeneration: repo.metadata.generation,
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
      artifact: {
        path: 'gitrepository/cli-create/podinfo/sha.tar.gz',
        url: 'http://source-controller/gitrepository/cli-create/podinfo/sha.tar.gz',
        revision: 'master@sha1:0123456789abcdef0123456789abcdef01234567',
        digest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
        lastUpdateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    },
  });
}

describe('flux-ts create source git (applied to a cluster)', { timeout: 30_000 }, () => {
  it('creates the GitRepository with its credentials Secret, waits for Ready and prints flux’s progress', async () => {
    const io = bufferIO();
    const [code] = await Promise.all([
      main(
        [
          'create',
          'source',
          'git',
          'podinfo',
          '--url=https://github.com/stefanprodan/podinfo',
          '--branch=master',
          '--username=git',
          '--password=s3cr3t',
          '--label=team=apps',
          `--namespace=${NS}`,
          '--timeout=30s',
        ],
        io,
      ),
      reconcileOnce('podinfo'),
    ]);
    expect(io.err()).toBe(
      [
        '✚ generating GitRepository source',
        '► applying secret with repository credentials',
        '✔ authentication configured',
        '► applying GitRepository source',
        '✔ GitRepository source created',
        '◎ waiting for GitRepository source reconciliation',
        '✔ GitRepository source reconciliation completed',
        '✔ fetched revision: master@sha1:0123456789abcdef0123456789abcdef01234567',
        '',
      ].join('\n'),
    );
    expect(code).toBe(0);
    const repo = await env.client.get<GitRepository>(GIT, { namespace: NS, name: 'podinfo' });
    expect(repo.spec).toMatchObject({
      url: 'https://github.com/stefanprodan/podinfo',
      interval: '1m0s',
      ref: { branch: 'master' },
      secretRef: { name: 'podinfo' },
    });
    expect(repo.metadata.labels).toEqual({ team: 'apps' });
    const secret = await env.client.get<KubeObject & { data: Record<string, string> }>(
      { apiVersion: 'v1', kind: 'Secret' },
      { namespace: NS, name: 'podinfo' },
    );
    expect(Buffer.from(secret.data['password'] ?? '', 'base64').toString()).toBe('s3cr3t');
  });

  it('updates an existing GitRepository and fails with the Ready message flux prints', async () => {
    const io = bufferIO();
    const stall = async (): Promise<void> => {
      const repo = await until(
        'the updated GitRepository',
        async () => {
          const r = await env.client.get<GitRepository>(GIT, { namespace: NS, name: 'podinfo' });
          return r.spec.ref['tag'] === '6.0.0' ? r : undefined;
        },
        20_000,
      );
      await env.client.updateStatus({
        ...repo,
        status: {
          observedGeneration: repo.metadata.generation,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'GitOperationFailed',
              message: "failed to checkout and determine revision: unable to resolve tag '6.0.0'",
              observedGeneration: repo.metadata.generation,
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        },
      });
    };
    const [code] = await Promise.all([
      main(
        [
          'create',
          'source',
          'git',
          'podinfo',
          '--url=https://github.com/stefanprodan/podinfo',
          '--tag=6.0.0',
          `--namespace=${NS}`,
        ],
        io,
      ),
      stall(),
    ]);
    expect(code).toBe(1);
    expect(io.err()).toContain('✔ GitRepository source updated\n');
    expect(io.err()).toMatch(/✗ failed to checkout and determine revision: unable to resolve tag '6.0.0'\n$/);
  });
});

describe('flux-ts create secret git over SSH (host key scanned from a real sshd)', { timeout: 30_000 }, () => {
  it('writes the server key as known_hosts and the generated key pair', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flux-ts-cli-sshd-'));
    const sshd = await startSshGitServer({ root });
    try {
      const io = bufferIO();
      const code = await main(
        ['create', 'secret', 'git', 'deploy', `--url=${sshd.url('repo')}`, '--ssh-key-algorithm=ed25519', '--export'],
        io,
      );
      expect(io.err()).toBe('');
      expect(code).toBe(0);
      const knownHosts = /\n {2}known_hosts: (.*)\n/.exec(io.out())?.[1];
      // `[host]:port` starts with a YAML indicator, so go-yaml single-quotes it.
      expect(knownHosts).toBe(`'${sshd.knownHosts.trim()}'`);
      expect(io.out()).toMatch(/identity\.pub: \|\n {4}ssh-ed25519 \S+\n/);
      expect(io.out()).toContain('-----BEGIN PRIVATE KEY-----');
    } finally {
      await sshd.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
