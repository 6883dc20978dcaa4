import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '@flux-ts/testbed';
import { main } from './cli.ts';
import { captured } from './cli.spec-helper.ts';
import type { StatusRow } from './status.ts';

const workspace = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes a fleet repository (clusters/, infrastructure/, apps/) as `flux bootstrap` and the guides lay it out. */
async function fleet(files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'validate-fleet-'));
  dirs.push(dir);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  const env = { PATH: process.env['PATH'], GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: dir };
  await run('git', ['-C', dir, 'init', '-q', '-b', 'main'], { env });
  await run('git', ['-C', dir, 'remote', 'add', 'origin', 'ssh://git@github.com/acme/fleet.git'], { env });
  await run('git', ['-C', dir, 'add', '-A'], { env });
  await run('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'fleet'], { env });
  return dir;
}

const ks = (name: string, path: string, extra = ''): string => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  retryInterval: 2s
  path: ${path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
${extra}`;

const gotkSync = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  secretRef:
    name: flux-system
  url: ssh://git@github.com/acme/fleet.git
`;

const configMap = (name: string, ns: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
  greeting: hello
`;

const base: Record<string, string> = {
  'clusters/dev/flux-system/gotk-sync.yaml': gotkSync,
  'clusters/dev/flux-system/kustomization.yaml': 'resources:\n  - gotk-sync.yaml\n',
  'clusters/dev/infrastructure.yaml': ks('infrastructure', './infrastructure/dev'),
  'clusters/dev/apps.yaml': ks('apps', './apps/dev', '  dependsOn:\n    - name: infrastructure\n'),
  'infrastructure/dev/kustomization.yaml': 'resources:\n  - namespace.yaml\n',
  'infrastructure/dev/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: podinfo\n',
  'apps/base/kustomization.yaml': 'resources:\n  - configmap.yaml\n',
  'apps/base/configmap.yaml': configMap('podinfo-config', 'podinfo'),
  'apps/dev/kustomization.yaml': 'resources:\n  - ../base\nnamePrefix: dev-\n',
};

const validate = async (repo: string, extra: string[] = []) => {
  const c = captured();
  const code = await main({
    argv: ['validate', '--repo', repo, '--path', 'clusters/dev', '--timeout', '2m', ...extra],
    workspace,
    cwd: repo,
    io: c.io,
    signal: new AbortController().signal,
  });
  return { code, out: c.out(), err: c.err() };
};

describe('npm start -- validate, with the real controllers', () => {
  it(
    'passes a correct fleet repository (exit 0, every Kustomization Ready at the applied revision)',
    { timeout: 180_000 },
    async () => {
      const repo = await fleet(base);
      const r = await validate(repo, ['--output', 'json']);
      expect(r.err).toBe('');
      const report = JSON.parse(r.out) as { ready: boolean; timedOut: boolean; objects: StatusRow[] };
      expect(report, r.out).toMatchObject({ ready: true, timedOut: false });
      expect(report.objects.map((o) => `${o.kind}/${o.namespace}/${o.name}=${o.ready}`).sort()).toEqual([
        'GitRepository/flux-system/flux-system=True',
        'Kustomization/flux-system/apps=True',
        'Kustomization/flux-system/flux-system=True',
        'Kustomization/flux-system/infrastructure=True',
      ]);
      for (const o of report.objects) expect(o.revision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
      expect(r.code).toBe(0);
    },
  );

  it(
    'fails a fleet with a broken overlay and a dependsOn on it, naming both (exit 1)',
    { timeout: 180_000 },
    async () => {
      const repo = await fleet({
        ...base,
        // The overlay points at a base that is not there: kustomize build fails.
        'infrastructure/dev/kustomization.yaml': 'resources:\n  - namespace.yaml\n  - ../controllers\n',
      });
      const r = await validate(repo);
      expect(r.err).toBe('');
      const lines = r.out.trim().split('\n');
      expect(lines[0]).toMatch(/^KIND\s+NAMESPACE\/NAME\s+READY\s+REASON\s+REVISION\s+MESSAGE$/);
      const line = (name: string): string => lines.find((l) => l.includes(`flux-system/${name} `)) ?? '';
      expect(line('infrastructure'), r.out).toMatch(
        /Kustomization\s+flux-system\/infrastructure\s+False\s+BuildFailed\s/,
      );
      // Below the table, each failure's whole message.
      expect(lines.find((l) => l.startsWith('Kustomization/flux-system/infrastructure: '))).toMatch(
        /^Kustomization\/flux-system\/infrastructure: kustomize build failed: .*accumulating resources from '\.\.\/controllers'/,
      );
      expect(lines.find((l) => l.startsWith('Kustomization/flux-system/apps: '))).toBe(
        "Kustomization/flux-system/apps: dependency 'flux-system/infrastructure' is not ready",
      );
      expect(line('apps')).toMatch(/Kustomization\s+flux-system\/apps\s+False\s+DependencyNotReady\s/);
      expect(line('flux-system')).toMatch(/True/);
      expect(lines.at(-1)).toBe('2 of 4 not Ready');
      expect(r.code).toBe(1);
    },
  );

  it(
    'fails a fleet whose ConfigMap a real API server refuses, with the server’s message (exit 1)',
    { timeout: 180_000 },
    async () => {
      const repo = await fleet({
        ...base,
        // kustomize builds it; kube-apiserver's ValidateConfigMap rejects the key.
        'apps/base/configmap.yaml': `${configMap('podinfo-config', 'podinfo')}  bad key: x\n`,
      });
      const r = await validate(repo, ['--output', 'json']);
      expect(r.err).toBe('');
      const report = JSON.parse(r.out) as { ready: boolean; timedOut: boolean; objects: StatusRow[] };
      expect(report, r.out).toMatchObject({ ready: false, timedOut: false });
      const apps = report.objects.find((o) => o.name === 'apps');
      expect(apps, r.out).toMatchObject({ ready: 'False', reason: 'ReconciliationFailed' });
      // The server's message as kube-apiserver words it, double spaces included.
      expect(apps?.message).toBe(
        "ConfigMap/podinfo/dev-podinfo-config dry-run failed (Invalid): ConfigMap \"dev-podinfo-config\" is invalid: data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      );
      expect(report.objects.filter((o) => o.ready !== 'True').map((o) => o.name)).toEqual(['apps']);
      expect(r.code).toBe(1);
    },
  );
});
