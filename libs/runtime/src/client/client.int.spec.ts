import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import {
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isBadRequest,
  isNoMatch,
  isNotFound,
  isUnauthorized,
} from './errors.ts';
import {
  configMapGvk,
  eventually,
  startTestCluster,
  widgetCrd,
  widgetGvk,
  type TestCluster,
} from './testing.spec-helper.ts';
import type { KubeObject } from './types.ts';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
interface Widget extends KubeObject {
  spec?: { size?: number };
  status?: { phase?: string };
}

const ns = 'client-test';
const cm = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, labels },
  data,
});

describe('KubeClient against the in-process API server', () => {
  let t: TestCluster;
  let client: KubeClient;

  beforeAll(async () => {
    t = await startTestCluster();
    client = t.client;
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  afterAll(async () => {
    await t?.server.close();
  });

  it('keeps its TLS connection alive between requests instead of opening one per request', async () => {
    const opts: { agent?: unknown } = {};
    await t.kc.applyToHTTPSOptions(opts);
    const agent = opts.agent as { freeSockets: Record<string, unknown[]> };
    const free = (): number => Object.values(agent.freeSockets).flat().length;
    for (let i = 0; i < 5; i++) {
      await client.get({ apiVersion: 'v1', kind: 'Namespace' }, { name: ns });
      expect(free()).toBe(1); // the one socket, back in the pool after each response
    }
  });

  it('creates, reads, lists (selectors, pages), updates with optimistic concurrency, patches and deletes', async () => {
    const created = await client.create(cm('one', { a: '1' }, { app: 'x' }));
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.resourceVersion).toBeTruthy();
    await expect(client.create(cm('one'))).rejects.toSatisfy(isAlreadyExists);

    for (let i = 0; i < 4; i++) await client.create(cm(`page-${i}`, {}, { page: 'yes' }));
    const got = await client.get<ConfigMap>(configMapGvk, { namespace: ns, name: 'one' });
    expect(got).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' } });

    const first = await client.list<ConfigMap>(configMapGvk, { namespace: ns, labelSelector: 'page=yes', limit: 3 });
    expect(first.items.map((o) => o.metadata.name)).toEqual(['page-0', 'page-1', 'page-2']);
    expect(first.items.every((o) => o.kind === 'ConfigMap' && o.apiVersion === 'v1')).toBe(true);
    expect(first.continue).toBeTruthy();
    const all = await client.listAll<ConfigMap>(configMapGvk, {
      namespace: ns,
      labelSelector: 'page=yes',
      pageSize: 3,
    });
    expect(all.items.map((o) => o.metadata.name)).toEqual(['page-0', 'page-1', 'page-2', 'page-3']);
    expect(all.resourceVersion).toBeTruthy();
    const byField = await client.list(configMapGvk, { namespace: ns, fieldSelector: 'metadata.name=page-3' });
    expect(byField.items.map((o) => o.metadata.name)).toEqual(['page-3']);

    const updated = await client.update<ConfigMap>({ ...got, data: { a: '2' } });
    expect(updated.data).toEqual({ a: '2' });
    // the stale copy still carries the old resourceVersion
    await expect(client.update<ConfigMap>({ ...got, data: { a: '3' } })).rejects.toSatisfy(isConflict);

    const merged = await client.patch<ConfigMap>(
      configMapGvk,
      { namespace: ns, name: 'one' },
      { data: { b: 'x' } },
      { type: 'merge' },
    );
    expect(merged.data).toEqual({ a: '2', b: 'x' });
    const jsonPatched = await client.patch<ConfigMap>(
      configMapGvk,
      { namespace: ns, name: 'one' },
      [{ op: 'remove', path: '/data/a' }],
      { type: 'json' },
    );
    expect(jsonPatched.data).toEqual({ b: 'x' });
    const strategic = await client.patch<ConfigMap>(
      configMapGvk,
      { namespace: ns, name: 'one' },
      { metadata: { labels: { extra: 'y' } } },
      { type: 'strategic' },
    );
    expect(strategic.metadata.labels).toEqual({ app: 'x', extra: 'y' });

    await client.delete(configMapGvk, { namespace: ns, name: 'one' });
    await expect(client.get(configMapGvk, { namespace: ns, name: 'one' })).rejects.toSatisfy(isNotFound);
    await expect(client.delete(configMapGvk, { namespace: ns, name: 'one' })).rejects.toSatisfy(isNotFound);
  });

  it('discovers a CRD created at runtime, and writes its status through the status subresource', async () => {
    // the group is not served yet: the miss is cached per group/version and refreshed on the next lookup
    await expect(client.resourceFor(widgetGvk)).rejects.toSatisfy(isNoMatch);
    await client.create(widgetCrd);
    await eventually(
      async () => (await client.resourceFor(widgetGvk)).resource === 'widgets',
      30_000,
      'widgets discoverable',
    );
    expect(await client.resourceFor(widgetGvk)).toMatchObject({
      resource: 'widgets',
      namespaced: true,
      group: 'test.flux-ts.dev',
      version: 'v1',
    });
    expect((await client.resourceFor(widgetGvk)).subresources).toContain('status');

    const w = await client.create<Widget>({
      ...widgetGvk,
      metadata: { name: 'w1', namespace: ns },
      spec: { size: 1 },
      status: { phase: 'ignored' },
    });
    expect(w.status?.phase).toBeUndefined(); // status is not written through the main resource
    const withStatus = await client.updateStatus<Widget>({ ...w, status: { phase: 'Ready' } });
    expect(withStatus.status?.phase).toBe('Ready');
    expect(withStatus.metadata.generation).toBe(w.metadata.generation);

    const mainUpdate = await client.update<Widget>({ ...withStatus, spec: { size: 2 }, status: { phase: 'Lost' } });
    expect(mainUpdate.spec?.size).toBe(2);
    expect(mainUpdate.status?.phase).toBe('Ready');

    const patched = await client.patch<Widget>(
      widgetGvk,
      { namespace: ns, name: 'w1' },
      { status: { phase: 'Patched' } },
      { type: 'merge', subresource: 'status' },
    );
    expect(patched.status?.phase).toBe('Patched');
    const got = await client.get<Widget>(widgetGvk, { namespace: ns, name: 'w1' });
    expect(got).toMatchObject({ spec: { size: 2 }, status: { phase: 'Patched' } });
  });

  it('server-side applies with a field manager, reports a conflict, and forces ownership', async () => {
    const applied = await client.apply<ConfigMap>(cm('ssa', { k: 'a' }), { fieldManager: 'manager-a' });
    expect(applied.data).toEqual({ k: 'a' });
    expect(applied.metadata.managedFields?.some((f) => (f as { manager?: string }).manager === 'manager-a')).toBe(true);

    const conflict = await client
      .apply<ConfigMap>(cm('ssa', { k: 'b' }), { fieldManager: 'manager-b' })
      .catch((e: unknown) => e);
    expect(isConflict(conflict)).toBe(true);
    expect((conflict as Error).message).toContain('manager-a');

    const forced = await client.apply<ConfigMap>(cm('ssa', { k: 'b' }), { fieldManager: 'manager-b', force: true });
    expect(forced.data).toEqual({ k: 'b' });
    const managers = (forced.metadata.managedFields ?? []).map((f) => (f as { manager?: string }).manager);
    expect(managers).toContain('manager-b');

    // status subresource apply on the CRD from the previous test
    const st = await client.apply<Widget>(
      { ...widgetGvk, metadata: { name: 'w1', namespace: ns }, status: { phase: 'Applied' } },
      { fieldManager: 'status-owner', subresource: 'status', force: true },
    );
    expect(st.status?.phase).toBe('Applied');
  });

  it('dry-run writes leave nothing behind', async () => {
    const dry = await client.create(cm('dry', { x: '1' }), { dryRun: true });
    expect(dry.metadata.name).toBe('dry');
    await expect(client.get(configMapGvk, { namespace: ns, name: 'dry' })).rejects.toSatisfy(isNotFound);

    await client.apply(cm('dry', { x: '1' }), { fieldManager: 'm', dryRun: true });
    await expect(client.get(configMapGvk, { namespace: ns, name: 'dry' })).rejects.toSatisfy(isNotFound);

    const real = await client.create<ConfigMap>(cm('dry', { x: '1' }));
    await client.patch(
      configMapGvk,
      { namespace: ns, name: 'dry' },
      { data: { x: '2' } },
      { type: 'merge', dryRun: true },
    );
    await client.delete(configMapGvk, { namespace: ns, name: 'dry' }, { dryRun: true });
    const after = await client.get<ConfigMap>(configMapGvk, { namespace: ns, name: 'dry' });
    expect(after.data).toEqual({ x: '1' });
    expect(after.metadata.resourceVersion).toBe(real.metadata.resourceVersion);
  });

  it('rejects unknown fields with fieldValidation=Strict', async () => {
    const bad = { ...cm('strict'), bogus: true };
    await expect(client.create(bad, { fieldValidation: 'Strict' })).rejects.toThrow(/unknown field "bogus"/);
    await expect(client.create(bad, { fieldValidation: 'Strict' })).rejects.toSatisfy(isBadRequest);
    // Ignore drops the field and creates the object
    const ok = await client.create(bad, { fieldValidation: 'Ignore' });
    expect(ok).not.toHaveProperty('bogus');
  });

  it('impersonates a ServiceAccount that is forbidden until a RoleBinding grants access', async () => {
    await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: ns } });
    const robot = client.impersonate(`system:serviceaccount:${ns}:robot`);
    const err = await robot.list(configMapGvk, { namespace: ns }).catch((e: unknown) => e);
    expect(isForbidden(err)).toBe(true);
    expect((err as Error).message).toContain(`system:serviceaccount:${ns}:robot`);
    // the admin client is unaffected by the derived one
    await expect(client.list(configMapGvk, { namespace: ns })).resolves.toBeTruthy();

    await client.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'cm-reader', namespace: ns },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
    });
    await client.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'robot-reads', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: ns }],
    });
    await eventually(
      async () => (await robot.list(configMapGvk, { namespace: ns })).items.length > 0,
      30_000,
      'robot can list',
    );
    // still no write access
    await expect(robot.create(cm('robot-write'))).rejects.toSatisfy(isForbidden);
    // a group is sent along: system:masters through impersonation makes it admin
    await expect(client.impersonate('someone', ['system:masters']).create(cm('via-group'))).resolves.toMatchObject({
      metadata: { name: 'via-group' },
    });
  });

  it('retries a throttled request after Retry-After', async () => {
    t.server.counters.reset();
    const remove = t.server.hooks.injectError({ verb: 'get', resource: 'configmaps', code: 429, times: 1 });
    try {
      await client.create(cm('throttled'));
      await expect(client.get(configMapGvk, { namespace: ns, name: 'throttled' })).resolves.toMatchObject({
        metadata: { name: 'throttled' },
      });
      expect(t.server.counters.get('get', 'configmaps')).toBe(2);
    } finally {
      remove();
    }
  });

  it('builds a client from a kubeconfig Secret', async () => {
    const secret = {
      metadata: { name: 'remote', namespace: ns },
      data: { 'value.yaml': Buffer.from(t.server.kubeconfig).toString('base64') },
    };
    const remote = KubeClient.fromKubeconfigSecret(secret, { userAgent: 'remote-test' });
    const list = await remote.list(configMapGvk, { namespace: ns, fieldSelector: 'metadata.name=ssa' });
    expect(list.items.map((o) => o.metadata.name)).toEqual(['ssa']);
  });

  it('reports a bad token as Unauthorized without leaking the token', async () => {
    const badToken = 'not-a-valid-token-1234567890';
    const kubeconfig = t.server.kubeconfig.replace(t.server.adminToken, badToken);
    expect(kubeconfig).toContain(badToken);
    const bad = KubeClient.fromKubeconfigSecret({ stringData: { value: kubeconfig } });
    const err = await bad.get(configMapGvk, { namespace: ns, name: 'ssa' }).catch((e: unknown) => e);
    expect(isUnauthorized(err)).toBe(true);
    expect(String((err as Error).message)).not.toContain(badToken);
    expect(JSON.stringify(err)).not.toContain(badToken);
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort(new Error('cancelled by test'));
    await expect(client.get(configMapGvk, { namespace: ns, name: 'ssa' }, { signal: ac.signal })).rejects.toThrow(
      'cancelled by test',
    );
  });
});

describe('KubeClient watch and rate limiting', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster({ bookmarkIntervalMs: 100 });
  });
  afterAll(async () => {
    await t?.server.close();
  });

  it('streams events and bookmarks from a resourceVersion, and ends on abort', async () => {
    const start = await t.client.list(configMapGvk, { namespace: 'default' });
    const ac = new AbortController();
    const seen: string[] = [];
    let bookmarkRv = '';
    const consumed = (async () => {
      for await (const ev of t.client.watch<ConfigMap>(configMapGvk, {
        namespace: 'default',
        resourceVersion: start.resourceVersion,
        allowWatchBookmarks: true,
        signal: ac.signal,
      })) {
        if (ev.type === 'BOOKMARK') bookmarkRv = ev.object.metadata.resourceVersion ?? '';
        else seen.push(`${ev.type} ${ev.object.kind} ${ev.object.metadata.name}`);
      }
    })();
    await eventually(() => t.server.hooks.openWatches() > 0, 30_000, 'watch open');
    await t.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', namespace: 'default' } });
    await t.client.delete(configMapGvk, { namespace: 'default', name: 'watched' });
    await eventually(() => seen.length === 2 && bookmarkRv !== '', 30_000, 'events and a bookmark');
    expect(seen).toEqual(['ADDED ConfigMap watched', 'DELETED ConfigMap watched']);
    ac.abort();
    await expect(consumed).resolves.toBeUndefined();
  });

  it('throws Gone for a watch from a compacted resourceVersion', async () => {
    const start = await t.client.list(configMapGvk, { namespace: 'default' });
    await t.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'after-compact', namespace: 'default' },
    });
    t.server.hooks.compact();
    const ac = new AbortController();
    const got: string[] = [];
    const err = await (async () => {
      for await (const ev of t.client.watch(configMapGvk, {
        namespace: 'default',
        resourceVersion: start.resourceVersion,
        signal: ac.signal,
      })) {
        got.push(ev.type);
        if (ev.type === 'ERROR') return (ev.object as { code?: number }).code;
      }
      return undefined;
    })().catch((e: unknown) => (isGone(e) ? 410 : e));
    ac.abort();
    expect(err).toBe(410);
  });

  it('limits requests client-side with qps/burst, and a request waiting for a token honours abort', async () => {
    const slow = KubeClient.fromKubeConfig(t.kc, { qps: 0.001, burst: 2 });
    await slow.resourceFor(configMapGvk); // discovery takes the first token
    await slow.list(configMapGvk, { namespace: 'default' });
    expect(slow.rateLimiter.tryTake()).toBe(false);
    const ac = new AbortController();
    t.server.counters.reset();
    const pending = slow.list(configMapGvk, { namespace: 'default', signal: ac.signal });
    ac.abort(new Error('gave up waiting'));
    await expect(pending).rejects.toThrow('gave up waiting');
    expect(t.server.counters.get('list', 'configmaps')).toBe(0);
    // derived (impersonating) clients share the bucket
    expect(slow.impersonate('someone').rateLimiter).toBe(slow.rateLimiter);
  });
});
