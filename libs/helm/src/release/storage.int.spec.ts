// The real helm reads releases we encoded: our Secrets are decoded back to release JSON (what helm's secrets driver
// unmarshals) and given to helm 3.18.0's memory driver (HELM_DRIVER=memory, HELM_MEMORY_DRIVER_DATA), whose
// history, get values/manifest/hooks/notes and list must show them.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmEnv, installHelm } from '@flux-ts/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleReleases } from './release-fixture.spec-helper.ts';
import { decodeRelease, releaseJson, releaseToSecret, secretToRelease, type SecretObject } from './storage.ts';

let helm: string;
const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-release-'));
const data = join(work, 'releases.json');

function run(args: string[], kubeApiserver?: string): Promise<string> {
  const extra = kubeApiserver === undefined ? [] : ['--kube-apiserver', kubeApiserver];
  return new Promise((resolve, reject) => {
    execFile(
      helm as string,
      [...args, '--namespace', 'apps', ...extra],
      { env: { ...helmEnv(work), HELM_DRIVER: 'memory', HELM_MEMORY_DRIVER_DATA: data } },
      (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)),
    );
  });
}

beforeAll(async () => {
  helm = await installHelm(); // npm test installs its peers: no helm is a failure, not a skip
  const secrets = sampleReleases().map((r) => releaseToSecret(r));
  const jsons = secrets.map((s) => releaseJson(secretToRelease(s)));
  writeFileSync(data, `[${jsons.join(',')}]`);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('our release encoding read by the real helm (memory driver)', () => {
  it('helm history, get values, get manifest, get hooks, get notes, list', async () => {
    expect(JSON.parse(await run(['history', 'demo', '-o', 'json']))).toEqual([
      {
        revision: 1,
        updated: '2024-05-01T10:00:00Z',
        status: 'superseded',
        chart: 'demo-0.1.0',
        app_version: '1.0',
        description: 'Install complete',
      },
      {
        revision: 2,
        updated: '2024-05-02T10:00:00Z',
        status: 'deployed',
        chart: 'demo-0.1.0',
        app_version: '1.0',
        description: 'Upgrade complete',
      },
    ]);
    expect(await run(['get', 'values', 'demo', '-o', 'json'])).toBe('{"extra":{"k":"v"},"replicas":4}\n');
    expect(await run(['get', 'values', 'demo', '--revision', '1', '--all', '-o', 'json'])).toBe(
      '{"extra":{"k":"v"},"image":{"tag":"v1"},"replicas":3}\n',
    );
    expect(await run(['get', 'manifest', 'demo'])).toBe(
      '---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: v2\n\n',
    );
    expect(await run(['get', 'hooks', 'demo'])).toBe('---\n# Source: demo/templates/hook.yaml\nkind: Job\n\n');
    expect(await run(['get', 'notes', 'demo'])).toBe('NOTES:\nthanks for installing <demo>\n');
    const list = JSON.parse(await run(['list', '-o', 'json'])) as { name: string; revision: string; status: string }[];
    expect(list.map((r) => [r.name, r.revision, r.status])).toEqual([['demo', '2', 'deployed']]);
  }, 60_000);
});

/** Just enough of a Kubernetes API for helm's capabilities discovery (the memory driver stores the release). */
function fakeApiserver(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const p = (req.url ?? '').split('?')[0];
    const bodies: Record<string, unknown> = {
      '/version': { major: '1', minor: '33', gitVersion: 'v1.33.0' },
      '/api': { kind: 'APIVersions', versions: ['v1'] },
      '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
      '/api/v1': {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get'] }],
      },
    };
    res.setHeader('content-type', 'application/json');
    if (p !== undefined && p in bodies) res.end(JSON.stringify(bodies[p]));
    else {
      res.statusCode = 404;
      res.end('{"kind":"Status","code":404}');
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ url: `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`, server });
    }),
  );
}

describe('a release made by the real helm decoded by us', () => {
  it('helm upgrade (memory driver) prints release JSON that we decode and re-encode byte for byte', async () => {
    const chart = join(work, 'demo');
    const files: Record<string, string> = {
      'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: "1.0"\nannotations:\n  z: 1\n  a: b\n',
      'values.yaml': 'replicas: 2\nimage:\n  tag: v1 <latest>\n',
      'values.schema.json': '{"type":"object"}',
      'README.md': 'readme & more\n',
      'templates/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  r: "{{ .Values.replicas }}"\n',
      'templates/hook.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hook\n  annotations:\n    helm.sh/hook: pre-upgrade,post-upgrade\n    helm.sh/hook-weight: "-3"\n    helm.sh/hook-delete-policy: before-hook-creation\n',
      'templates/NOTES.txt': 'Release {{ .Release.Name }} <ok>\n',
    };
    for (const [p, t] of Object.entries(files)) {
      mkdirSync(join(chart, p, '..'), { recursive: true });
      writeFileSync(join(chart, p), t);
    }
    const { url, server } = await fakeApiserver();
    try {
      const out = await run(['upgrade', 'demo', chart, '-o', 'json', '--set', 'replicas=3,extra.list={a,b}'], url);
      const helmJson = out.trimEnd();
      // Stored as helm's secrets driver stores it: base64(gzip(JSON)) inside the Secret's data (base64 again).
      const stored = gzipSync(Buffer.from(helmJson)).toString('base64');
      const secret: SecretObject = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'sh.helm.release.v1.demo.v3',
          labels: { name: 'demo', owner: 'helm', status: 'deployed', version: '3', team: 'a', modifiedAt: '1' },
        },
        type: 'helm.sh/release.v1',
        data: { release: Buffer.from(stored).toString('base64') },
      };
      const r = secretToRelease(secret);
      expect(r.name).toBe('demo');
      expect(r.version).toBe(3);
      expect(r.info?.status).toBe('deployed');
      expect(r.info?.notes).toBe('Release demo <ok>\n');
      expect(r.labels).toEqual({ team: 'a' });
      expect(r.hooks?.map((h) => [h.name, h.kind, h.events, h.weight, h.delete_policies])).toEqual([
        ['hook', 'ConfigMap', ['pre-upgrade', 'post-upgrade'], -3, ['before-hook-creation']],
      ]);
      expect(Buffer.from(r.chart?.schema ?? '', 'base64').toString()).toBe('{"type":"object"}');
      expect(r.config).toEqual({ extra: { list: ['a', 'b'] }, replicas: 3 });
      // Our encoder writes exactly helm's JSON for it (field order, omitempty, HTML-safe escapes).
      expect(releaseJson(decodeRelease(stored))).toBe(helmJson);
    } finally {
      server.close();
    }
  }, 60_000);
});
