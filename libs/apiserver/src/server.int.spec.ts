import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startApiServer, type ApiServer } from './server.ts';
import { eventually, KUBECTL, raw } from './testing/harness.ts';

/** An open watch stream collecting its events. */
interface Stream {
  events: { type: string; object: Record<string, unknown> }[];
  close(): void;
}

const openWatch = (server: ApiServer, path: string): Promise<Stream> =>
  new Promise((resolve, reject) => {
    const u = new URL(path, server.url);
    const events: Stream['events'] = [];
    const req = request(
      {
        hostname: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        ca: server.caPem,
        headers: { Authorization: `Bearer ${server.adminToken}` },
      },
      (res) => {
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d.toString();
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buf.slice(0, i)) as Stream['events'][number]);
            buf = buf.slice(i + 1);
          }
        });
        res.on('error', () => undefined);
        resolve({ events, close: () => req.destroy() });
      },
    );
    req.on('error', (err) => {
      if (events.length === 0) reject(err);
    });
    req.end();
  });

const def = (server: ApiServer, group: string, version: string, resource: string) =>
  server.core.registry.get(group, version, resource)!;
const sys = { dryRun: false, fieldManager: 'test', fieldValidation: 'Strict' as const, warnings: [] as string[] };

describe('scale, hooks and process entry points', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ bookmarkIntervalMs: 100 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('holds 10,000 objects and fans changes out to 100 concurrent watches by namespace and selector', async () => {
    const ns = def(server, '', 'v1', 'namespaces');
    const cms = def(server, '', 'v1', 'configmaps');
    for (let n = 0; n < 100; n++)
      server.core.create(ns, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `scale-${n}` } }, sys);
    for (let i = 0; i < 10_000; i++) {
      server.core.create(
        cms,
        `scale-${i % 100}`,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${i}`, labels: { parity: i % 2 === 0 ? 'even' : 'odd' } },
        },
        sys,
      );
    }
    const list = await raw(server, 'GET', '/api/v1/configmaps?labelSelector=parity%3Deven&limit=500');
    expect((list.json()['items'] as unknown[]).length).toBe(500);
    expect((list.json()['metadata'] as { remainingItemCount: number }).remainingItemCount).toBe(4500);

    const rv = (list.json()['metadata'] as { resourceVersion: string }).resourceVersion;
    const watches = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        openWatch(
          server,
          `/api/v1/namespaces/scale-${n}/configmaps?watch=true&resourceVersion=${rv}&labelSelector=parity%3Deven`,
        ),
      ),
    );
    try {
      await eventually(() => server.hooks.openWatches() >= 100);
      // one change per namespace; only even objects match the selectors
      for (let n = 0; n < 100; n++) {
        server.core.patch(
          cms,
          `scale-${n}`,
          `cm-${n}`,
          'application/merge-patch+json',
          { data: { touched: 'yes' } },
          { ...sys, force: false },
        );
      }
      await eventually(() => watches.every((w, n) => w.events.length === (n % 2 === 0 ? 1 : 0)), 15_000);
      expect(watches[0]!.events[0]).toMatchObject({
        type: 'MODIFIED',
        object: { metadata: { name: 'cm-0', namespace: 'scale-0' }, data: { touched: 'yes' } },
      });
      // relabelling out of the selector is a DELETED for the watcher, into it an ADDED
      server.core.patch(
        cms,
        'scale-2',
        'cm-2',
        'application/merge-patch+json',
        { metadata: { labels: { parity: 'odd' } } },
        { ...sys, force: false },
      );
      server.core.patch(
        cms,
        'scale-1',
        'cm-1',
        'application/merge-patch+json',
        { metadata: { labels: { parity: 'even' } } },
        { ...sys, force: false },
      );
      await eventually(() => watches[2]!.events.length === 2 && watches[1]!.events.length === 1);
      expect(watches[2]!.events[1]!.type).toBe('DELETED');
      expect(watches[1]!.events[0]!.type).toBe('ADDED');
    } finally {
      for (const w of watches) w.close();
    }
  }, 120_000);

  it('sends bookmarks and the initial-events-end bookmark when asked', async () => {
    const w = await openWatch(
      server,
      '/api/v1/namespaces/scale-3/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&labelSelector=parity%3Deven',
    );
    try {
      await eventually(() => w.events.filter((e) => e.type === 'BOOKMARK').length >= 2);
      const firstBookmark = w.events.findIndex((e) => e.type === 'BOOKMARK');
      expect(w.events.slice(0, firstBookmark).every((e) => e.type === 'ADDED')).toBe(true);
      expect(w.events[firstBookmark]!.object).toMatchObject({
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    } finally {
      w.close();
    }
  });

  it('watches a single object by name (legacy /watch/ path)', async () => {
    const w = await openWatch(server, '/api/v1/watch/namespaces/default/configmaps/one');
    try {
      await eventually(() => server.hooks.openWatches() > 0);
      for (const name of ['two', 'one'])
        await raw(
          server,
          'POST',
          '/api/v1/namespaces/default/configmaps',
          JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }),
        );
      await eventually(() => w.events.length === 1);
      expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'one' } } });
    } finally {
      w.close();
    }
  });

  it('serves Table output for lists, gets and watches', async () => {
    const t = await raw(server, 'GET', '/apis/apps/v1/namespaces/default/deployments', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(t.headers['content-type']).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(t.json()).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', rows: [] });
  });

  it('serves every version of a CRD with conversion None, and metadata-only lists', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'boxes.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Box', plural: 'boxes' },
        versions: [
          {
            name: 'v1beta1',
            served: true,
            storage: false,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    };
    expect(
      (await raw(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd)))
        .status,
    ).toBe(201);
    const stored = await raw(
      server,
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/boxes.example.com',
    );
    expect(stored.json()['status']).toMatchObject({
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted' },
      ],
      acceptedNames: { kind: 'Box', plural: 'boxes', singular: 'box', listKind: 'BoxList' },
      storedVersions: ['v1'],
    });
    const group = await raw(server, 'GET', '/apis/example.com');
    expect(group.json()['preferredVersion']).toEqual({ groupVersion: 'example.com/v1', version: 'v1' });
    const created = await raw(
      server,
      'POST',
      '/apis/example.com/v1beta1/namespaces/default/boxes',
      JSON.stringify({ apiVersion: 'example.com/v1beta1', kind: 'Box', metadata: { name: 'b' }, spec: { size: 1 } }),
    );
    expect(created.status).toBe(201);
    expect(created.json()['apiVersion']).toBe('example.com/v1beta1');
    const asV1 = await raw(server, 'GET', '/apis/example.com/v1/namespaces/default/boxes/b');
    expect(asV1.json()).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Box', spec: { size: 1 } });
    const meta = await raw(server, 'GET', '/apis/example.com/v1/namespaces/default/boxes', undefined, {
      Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json',
    });
    expect(meta.json()).toMatchObject({
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      items: [{ kind: 'PartialObjectMetadata', metadata: { name: 'b' } }],
    });
    expect((meta.json()['items'] as Record<string, unknown>[])[0]!['spec']).toBeUndefined();
    // deleting the CRD removes its objects and stops serving it
    expect(
      (await raw(server, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/boxes.example.com')).status,
    ).toBe(200);
    expect((await raw(server, 'GET', '/apis/example.com/v1/namespaces/default/boxes')).status).toBe(404);
  });

  it('simulates workload status when enabled', async () => {
    const d = def(server, 'apps', 'v1', 'deployments');
    server.core.create(
      d,
      'default',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'sim' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'sim' } },
          template: { metadata: { labels: { app: 'sim' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
        },
      },
      sys,
    );
    server.hooks.setSimulation({ readyAfterMs: 0, intervalMs: 20 });
    try {
      await eventually(
        () =>
          (server.core.get(d, 'default', 'sim')['status'] as { readyReplicas?: number } | undefined)?.readyReplicas ===
          2,
      );
      const st = server.core.get(d, 'default', 'sim')['status'] as {
        observedGeneration: number;
        conditions: { type: string; status: string }[];
      };
      expect(st.observedGeneration).toBe(1);
      expect(st.conditions.find((c) => c.type === 'Available')?.status).toBe('True');
    } finally {
      server.hooks.setSimulation(undefined);
    }
  });

  it('reports every served request to onRequest', async () => {
    const entries: { method: string; url: string; status: number }[] = [];
    const other = await startApiServer({ onRequest: (e) => entries.push(e) });
    try {
      await raw(other, 'GET', '/api/v1/namespaces/default/configmaps/missing');
      await eventually(() => entries.length === 1);
      expect(entries[0]).toMatchObject({
        method: 'GET',
        url: '/api/v1/namespaces/default/configmaps/missing',
        status: 404,
      });
    } finally {
      await other.close();
    }
  });

  it('snapshots and restores the store into a new server', async () => {
    const snap = JSON.parse(JSON.stringify(server.snapshot())) as ReturnType<ApiServer['snapshot']>;
    const other = await startApiServer({ snapshot: snap });
    try {
      const got = await raw(other, 'GET', '/api/v1/namespaces/scale-7/configmaps/cm-7');
      expect(got.status).toBe(200);
      const before = (await raw(server, 'GET', '/api/v1/namespaces/scale-7/configmaps/cm-7')).json();
      expect(got.json()).toEqual(before);
    } finally {
      await other.close();
    }
  });
});

describe('workload simulation across a restart', () => {
  it('keeps a rolled-out Deployment as it is when the server resumes from a snapshot', async () => {
    const first = await startApiServer({ simulation: { readyAfterMs: 0, intervalMs: 20 } });
    let snap: ReturnType<ApiServer['snapshot']>;
    let before: { metadata: { resourceVersion: string }; status?: { availableReplicas?: number } };
    try {
      const deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
        },
      };
      const created = await raw(
        first,
        'POST',
        '/apis/apps/v1/namespaces/default/deployments',
        JSON.stringify(deployment),
        {
          'Content-Type': 'application/json',
        },
      );
      expect(created.status).toBe(201);
      before = await eventually(async () => {
        const d = (await raw(first, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')).json() as typeof before;
        if (d.status?.availableReplicas !== 2) throw new Error('not available yet');
        return d;
      });
      // A new generation: its rollout times are the server's memory, not the object's creation time.
      await new Promise((r) => setTimeout(r, 1100));
      const scaled = await raw(
        first,
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/web',
        JSON.stringify({ spec: { replicas: 3 } }),
        { 'Content-Type': 'application/merge-patch+json' },
      );
      expect(scaled.status).toBe(200);
      before = await eventually(async () => {
        const d = (await raw(first, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')).json() as typeof before;
        if (d.status?.availableReplicas !== 3) throw new Error('not available yet');
        return d;
      });
      snap = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<ApiServer['snapshot']>;
    } finally {
      await first.close();
    }
    const second = await startApiServer({ snapshot: snap, simulation: { readyAfterMs: 0, intervalMs: 20 } });
    try {
      await new Promise((r) => setTimeout(r, 300)); // ~15 simulation ticks
      const after = (
        await raw(second, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')
      ).json() as typeof before;
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      expect(after).toEqual(before);
    } finally {
      await second.close();
    }
  });
});

describe('the flux-ts-apiserver command', () => {
  it('prints its URL, writes a kubeconfig kubectl uses and loads CRDs from --crds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flux-ts-apiserver-bin-'));
    await writeFile(
      join(dir, 'crds.yaml'),
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gitrepositories.source.toolkit.fluxcd.io}
spec:
  group: source.toolkit.fluxcd.io
  names: {kind: GitRepository, plural: gitrepositories, shortNames: [gitrepo]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`,
    );
    const child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, '..', 'bin', 'flux-ts-apiserver.js'),
        '--port',
        '0',
        '--kubeconfig',
        join(dir, 'kc'),
        '--crds',
        dir,
        '--latency-ms',
        '1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await eventually(() => out.includes('\n'), 30_000);
      const url = out.trim();
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const kc = parse(await readFile(join(dir, 'kc'), 'utf8')) as { clusters: { cluster: { server: string } }[] };
      expect(kc.clusters[0]!.cluster.server).toBe(url);
      const r = await new Promise<string>((resolve, reject) => {
        const k = spawn(KUBECTL, ['get', 'gitrepo', '-A'], {
          env: { PATH: process.env['PATH'], HOME: dir, KUBECONFIG: join(dir, 'kc') },
        });
        let o = '';
        let e = '';
        k.stdout.on('data', (d: Buffer) => (o += d.toString()));
        k.stderr.on('data', (d: Buffer) => (e += d.toString()));
        k.on('close', (code) => (code === 0 ? resolve(o + e) : reject(new Error(e))));
      });
      expect(r).toContain('No resources found');
    } finally {
      child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
