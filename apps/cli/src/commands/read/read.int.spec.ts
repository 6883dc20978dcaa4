import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, until, type TestEnv } from '@flux-ts/testing';
import type { KubeObject } from '@flux-ts/runtime';
import { main } from '../../main.ts';
import type { CliIO } from '../../io.ts';
import { fluxKindByKind } from '../shared/kinds.ts';
import { gvkOf, type FluxObject } from '../shared/objects.ts';

const FLUXNS = 'cli-read-flux';
const NS = 'cli-read-apps';
const SHA = '696f056df216eea4f9401adbee0ff744d4df390f';
const kind = (k: string) => {
  const f = fluxKindByKind(k);
  if (f === undefined) throw new Error(`no kind ${k}`);
  return f;
};
const GIT = kind('GitRepository');
const KS = kind('Kustomization');
const HR = kind('HelmRelease');

const golden = (name: string, vars: Record<string, string>): string => {
  let text = readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{ .${k} }}`, v);
  return text;
};

// What the pods/log subresource of the flux Deployment's pod serves (a controller's JSON log lines).
const controllerLog = [
  'not json',
  JSON.stringify({
    level: 'info',
    ts: '2024-01-01T00:00:00.000Z',
    msg: 'Reconciliation finished',
    controllerKind: 'Kustomization',
    name: 'apps',
    namespace: FLUXNS,
  }),
  JSON.stringify({
    level: 'error',
    ts: '2024-01-01T00:00:01.000Z',
    msg: 'Reconciliation failed',
    controllerKind: 'GitRepository',
    name: 'other',
    namespace: 'elsewhere',
    error: 'boom',
  }),
].join('\n');

let env: TestEnv;
let controller: AbortController;
// The live log a followed `pods/log` request streams (the test writes to it while `logs -f` runs).
let liveLog: PassThrough | undefined;

function bufferIO(
  stdin: NodeJS.ReadableStream = Readable.from([]),
  signal = new AbortController().signal,
): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    env: { KUBECONFIG: env.kubeconfigPath },
    cwd: process.cwd(),
    stdin,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal,
    out: () => out,
    err: () => err,
  };
}

async function run(args: string[], stdin?: NodeJS.ReadableStream): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIO(stdin);
  const code = await main([...args, '--timeout', '20s'], io);
  return { code, out: io.out(), err: io.err() };
}

const ready = (status: string, message: string, lastTransitionTime = '2021-07-20T00:48:16Z') => ({
  type: 'Ready',
  status,
  reason: status === 'True' ? 'Succeeded' : 'Failed',
  message,
  lastTransitionTime,
});

async function createWithStatus(
  obj: FluxObject | (KubeObject & Record<string, unknown>),
  status?: Record<string, unknown>,
): Promise<void> {
  const created = await env.client.create(obj);
  if (status !== undefined) {
    await env.client.patch(created, created.metadata, { status }, { type: 'merge', subresource: 'status' });
  }
}

const artifact = (revision: string) => ({
  revision,
  path: 'example',
  url: 'example',
  digest: `sha256:${'a'.repeat(64)}`,
  lastUpdateTime: '2021-08-01T04:28:42Z',
});

/** A stand-in controller: handles reconcile requests and new generations as Flux's controllers write status. */
async function fakeController(signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    for (const k of [GIT, KS]) {
      const list = await env.client.listAll<FluxObject>(gvkOf(k), { namespace: FLUXNS }).catch(() => ({ items: [] }));
      for (const o of list.items) {
        if (o.spec?.suspend === true) continue;
        const requested = o.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
        const gen = o.metadata.generation ?? 0;
        const observed = o.status?.observedGeneration;
        const pendingRequest = requested !== undefined && o.status?.lastHandledReconcileAt !== requested;
        // Objects created here without a status (observedGeneration unset or the schema's -1) are left alone.
        const pendingGeneration = observed !== undefined && observed > 0 && observed < gen;
        if (!pendingRequest && !pendingGeneration) continue;
        // kstatus: a condition keeps its transition time (and here its message) while its status stays.
        const current = o.status?.conditions?.find((c) => c.type === 'Ready');
        const message = k === GIT ? `Fetched revision: main@sha1:${SHA}` : `Applied revision: main@sha1:${SHA}`;
        const readyNow =
          current?.status === 'True'
            ? current
            : ready('True', message, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
        await env.client
          .patch(
            o,
            o.metadata,
            {
              status: {
                observedGeneration: gen,
                ...(requested !== undefined ? { lastHandledReconcileAt: requested } : {}),
                conditions: [readyNow],
                ...(k === GIT
                  ? { artifact: artifact(`main@sha1:${SHA}`) }
                  : { lastAppliedRevision: `main@sha1:${SHA}` }),
              },
            },
            { type: 'merge', subresource: 'status' },
          )
          .catch(() => undefined);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  env = await startTestEnv({
    namespaces: [FLUXNS, NS],
    dirPrefix: 'flux-ts-cli-read-',
    podLogs: (namespace, pod, opts) => {
      if (namespace !== FLUXNS || pod !== 'kustomize-controller-0') return undefined;
      if (!opts.follow) return Readable.from([controllerLog]);
      liveLog = new PassThrough();
      liveLog.write(`${controllerLog}\n`);
      return liveLog;
    },
  });
  const git = (name: string, labels: Record<string, string> = {}): FluxObject => ({
    apiVersion: GIT.apiVersion,
    kind: GIT.kind,
    metadata: {
      name,
      namespace: FLUXNS,
      labels: {
        'kustomize.toolkit.fluxcd.io/name': 'flux-system',
        'kustomize.toolkit.fluxcd.io/namespace': FLUXNS,
        ...labels,
      },
    },
    spec: {
      url: 'ssh://git@github.com/example/repo',
      interval: '5m',
      ref: { branch: 'main' },
      secretRef: { name: 'flux-system' },
    },
  });
  const fetched = (lastTransitionTime?: string) => ({
    observedGeneration: 1,
    artifact: artifact(`main@sha1:${SHA}`),
    conditions: [ready('True', `Fetched revision: main@sha1:${SHA}`, lastTransitionTime)],
  });
  await createWithStatus(git('flux-system'), fetched());
  await createWithStatus(git('podinfo-failed', { 'sharding.fluxcd.io/key': 'shard1' }), {
    conditions: [ready('False', 'failed to checkout and determine revision')],
  });
  await createWithStatus(
    {
      apiVersion: KS.apiVersion,
      kind: KS.kind,
      metadata: { name: 'infrastructure', namespace: FLUXNS },
      spec: {
        path: './infrastructure',
        interval: '5m',
        prune: false,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
    },
    {
      observedGeneration: 1,
      lastAppliedRevision: `main@sha1:${SHA}`,
      conditions: [ready('True', `Applied revision: main@sha1:${SHA}`, '2021-08-01T04:52:56Z')],
      inventory: {
        entries: [
          { id: '_cert-manager__Namespace', v: 'v1' },
          { id: `${NS}_tree-app_helm.toolkit.fluxcd.io_HelmRelease`, v: 'v2' },
        ],
      },
    },
  );
  await createWithStatus(
    {
      apiVersion: KS.apiVersion,
      kind: KS.kind,
      metadata: { name: 'flux-system', namespace: FLUXNS },
      spec: {
        path: './clusters/production',
        interval: '5m',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
    },
    {
      observedGeneration: 1,
      conditions: [ready('True', `Applied revision: main@sha1:${SHA}`)],
      inventory: {
        entries: [
          { id: `_${FLUXNS}__Namespace`, v: 'v1' },
          { id: `${FLUXNS}_kustomize-controller_apps_Deployment`, v: 'v1' },
          { id: `${FLUXNS}_infrastructure_kustomize.toolkit.fluxcd.io_Kustomization`, v: 'v1' },
          { id: `${FLUXNS}_flux-system_source.toolkit.fluxcd.io_GitRepository`, v: 'v1' },
        ],
      },
    },
  );
  // upstream testdata/trace/helmrelease.yaml and deployment.yaml
  await createWithStatus(
    {
      apiVersion: HR.apiVersion,
      kind: HR.kind,
      metadata: {
        name: 'podinfo',
        namespace: NS,
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'infrastructure',
          'kustomize.toolkit.fluxcd.io/namespace': FLUXNS,
        },
      },
      spec: {
        interval: '5m',
        chart: {
          spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: FLUXNS } },
        },
      },
    },
    {
      conditions: [ready('True', 'Release reconciliation succeeded', '2021-07-16T15:42:20Z')],
      helmChart: `${FLUXNS}/podinfo-podinfo`,
      lastAppliedRevision: '6.3.5',
      lastAttemptedRevision: '6.3.5',
    },
  );
  await createWithStatus(
    {
      apiVersion: kind('HelmChart').apiVersion,
      kind: 'HelmChart',
      metadata: { name: 'podinfo-podinfo', namespace: FLUXNS },
      spec: {
        chart: 'podinfo',
        version: '6.3.5',
        interval: '5m',
        sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
      },
    },
    { artifact: artifact('6.3.5'), conditions: [ready('True', 'Fetched revision: 6.3.5', '2021-07-16T15:32:09Z')] },
  );
  await createWithStatus(
    {
      apiVersion: kind('HelmRepository').apiVersion,
      kind: 'HelmRepository',
      metadata: { name: 'podinfo', namespace: FLUXNS },
      spec: { interval: '5m', timeout: '1m0s', url: 'https://stefanprodan.github.io/podinfo' },
    },
    {
      artifact: artifact('sha1:8411f23d07d3701f0e96e7d9e503b7936d7e1d56'),
      conditions: [
        ready('True', 'Fetched revision: main@sha1:8411f23d07d3701f0e96e7d9e503b7936d7e1d56', '2021-07-11T00:25:46Z'),
      ],
    },
  );
  await env.client.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'podinfo',
      namespace: NS,
      labels: { 'helm.toolkit.fluxcd.io/name': 'podinfo', 'helm.toolkit.fluxcd.io/namespace': NS },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'podinfo' } },
      template: {
        metadata: { labels: { app: 'podinfo' } },
        spec: { containers: [{ name: 'hello', image: 'busybox' }] },
      },
    },
  } as KubeObject);
  // a HelmRelease with a release in Helm's storage, for tree
  const release = {
    name: 'tree-app',
    namespace: NS,
    version: 1,
    manifest:
      '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: tree-app\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: tree-app\n',
  };
  await createWithStatus(
    {
      apiVersion: HR.apiVersion,
      kind: HR.kind,
      metadata: { name: 'tree-app', namespace: NS },
      spec: {
        interval: '5m',
        chart: { spec: { chart: 'app', sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: FLUXNS } } },
      },
    },
    {
      storageNamespace: NS,
      history: [
        {
          name: 'tree-app',
          namespace: NS,
          version: 1,
          status: 'deployed',
          chartName: 'app',
          chartVersion: '1.0.0',
          configDigest: 'sha256:x',
          digest: 'sha256:y',
          firstDeployed: '2024-01-01T00:00:00Z',
          lastDeployed: '2024-01-01T00:00:00Z',
        },
      ],
    },
  );
  const encoded = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  await env.client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'sh.helm.release.v1.tree-app.v1', namespace: NS },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(encoded).toString('base64') },
  } as KubeObject);
  // a Flux Deployment with its Pod, for logs and version
  await env.client.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'kustomize-controller', namespace: FLUXNS, labels: { 'app.kubernetes.io/part-of': 'flux' } },
    spec: {
      selector: { matchLabels: { app: 'kustomize-controller' } },
      template: {
        metadata: { labels: { app: 'kustomize-controller' } },
        spec: { containers: [{ name: 'manager', image: 'ghcr.io/fluxcd/kustomize-controller:v1.5.0' }] },
      },
    },
  } as KubeObject);
  await env.client.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kustomize-controller-0', namespace: FLUXNS, labels: { app: 'kustomize-controller' } },
    spec: { containers: [{ name: 'manager', image: 'ghcr.io/fluxcd/kustomize-controller:v1.5.0' }] },
  } as KubeObject);
  await env.client.create({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'infrastructure.1', namespace: FLUXNS },
    involvedObject: { kind: 'Kustomization', name: 'infrastructure', namespace: FLUXNS, apiVersion: KS.apiVersion },
    reason: 'ReconciliationSucceeded',
    message: 'Reconciliation finished in 1s',
    type: 'Normal',
    count: 1,
    firstTimestamp: new Date(Date.now() - 30_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    lastTimestamp: new Date(Date.now() - 30_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    source: { component: 'kustomize-controller' },
  } as KubeObject);
  controller = new AbortController();
  void fakeController(controller.signal); // runs until afterAll aborts it
}, 60_000);

afterAll(async () => {
  controller.abort();
  await env.close();
});

describe('flux-ts read commands against the test cluster', () => {
  it('gets sources in a namespace, across namespaces and by status', async () => {
    const one = await run(['get', 'sources', 'git', '-n', FLUXNS]);
    expect(one.code).toBe(0);
    expect(one.out).toBe(
      'NAME          \tREVISION          \tSUSPENDED\tREADY\tMESSAGE                                   \n' +
        'flux-system   \tmain@sha1:696f056d\tFalse    \tTrue \tFetched revision: main@sha1:696f056d     \t\n' +
        'podinfo-failed\t                  \tFalse    \tFalse\tfailed to checkout and determine revision\t\n',
    );

    const all = await run(['get', 'sources', 'git', '-A']);
    expect(all.out.split('\n')[0]).toMatch(/^NAMESPACE +\tNAME/);
    expect(all.out).toContain(`${FLUXNS}\tpodinfo-failed`);

    const failed = await run([
      'get',
      'sources',
      'git',
      '-n',
      FLUXNS,
      '--status-selector',
      'ready=false',
      '--no-header',
    ]);
    expect(failed.out).toBe('podinfo-failed\t\tFalse\tFalse\tfailed to checkout and determine revision\t\n');

    const labelled = await run(['get', 'sources', 'git', '-n', FLUXNS, '-l', 'sharding.fluxcd.io/key in (shard1)']);
    expect(labelled.out.split('\n').slice(1)).toEqual([
      'podinfo-failed\t        \tFalse    \tFalse\tfailed to checkout and determine revision\t',
      '',
    ]);

    const none = await run(['get', 'hr', '-n', FLUXNS]);
    expect(none.code).toBe(1);
    expect(none.err).toBe(`✗ no HelmRelease objects found in "${FLUXNS}" namespace\n`);

    const everything = await run(['get', 'all', '-n', FLUXNS]);
    expect(everything.code).toBe(0);
    expect(everything.out).toContain('gitrepository/flux-system');
    expect(everything.out).toContain('helmchart/podinfo-podinfo');
    expect(everything.out).toContain('kustomization/infrastructure');
  });

  it('watches a kind: the header once, then a row per change', async () => {
    const stop = new AbortController();
    const io = bufferIO(Readable.from([]), stop.signal);
    const watching = main(['get', 'sources', 'git', 'podinfo-failed', '-n', FLUXNS, '--watch'], io);
    await until('the first row', () => io.out().includes('podinfo-failed'));
    await env.client.patch(
      gvkOf(GIT),
      { namespace: FLUXNS, name: 'podinfo-failed' },
      { spec: { interval: '6m' } },
      { type: 'merge' },
    );
    await until(
      'a second row',
      () =>
        io
          .out()
          .split('\n')
          .filter((l) => l.startsWith('podinfo-failed')).length === 2,
    );
    stop.abort();
    expect(await watching).toBe(0);
    const lines = io.out().split('\n');
    expect(lines[0]).toMatch(/^NAME +\tREVISION\tSUSPENDED\tREADY\tMESSAGE +$/);
    expect(lines.filter((l) => l.startsWith('NAME'))).toHaveLength(1);
  });

  it('reconciles a Kustomization with its source, waiting for the request to be handled', async () => {
    const r = await run(['reconcile', 'ks', 'infrastructure', '--with-source', '-n', FLUXNS]);
    expect(r.err).toBe(
      [
        `► annotating GitRepository flux-system in ${FLUXNS} namespace`,
        '✔ GitRepository annotated',
        '◎ waiting for GitRepository reconciliation',
        `✔ fetched revision main@sha1:${SHA}`,
        `► annotating Kustomization infrastructure in ${FLUXNS} namespace`,
        '✔ Kustomization annotated',
        '◎ waiting for Kustomization reconciliation',
        `✔ applied revision main@sha1:${SHA}`,
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    const ks = await env.client.get<FluxObject>(gvkOf(KS), { namespace: FLUXNS, name: 'infrastructure' });
    expect(ks.status?.lastHandledReconcileAt).toBe(ks.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']);
  });

  it('suspends, refuses to reconcile a suspended object, and resumes waiting for Ready', async () => {
    const s = await run(['suspend', 'kustomization', 'flux-system', '-n', FLUXNS]);
    expect(s.err).toBe(`► suspending kustomization flux-system in ${FLUXNS} namespace\n✔ kustomization suspended\n`);
    const blocked = await run(['reconcile', 'ks', 'flux-system', '-n', FLUXNS]);
    expect(blocked.code).toBe(1);
    expect(blocked.err).toBe('✗ resource is suspended\n');
    const r = await run(['resume', 'ks', 'flux-system', '-n', FLUXNS]);
    expect(r.err).toContain(
      `► resuming kustomization flux-system in ${FLUXNS} namespace\n✔ kustomization resumed\n◎ waiting for Kustomization reconciliation\n`,
    );
    expect(r.err).toContain(`✔ applied revision main@sha1:${SHA}\n`);
    expect(r.code).toBe(0);
  });

  it("exports an object as flux's cleaned YAML", async () => {
    const r = await run(['export', 'source', 'helm', 'podinfo', '-n', FLUXNS]);
    expect(r.out).toBe(
      `---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: ${FLUXNS}\nspec:\n  interval: 5m\n  provider: generic\n  timeout: 1m0s\n  url: https://stefanprodan.github.io/podinfo\n`,
    );
  });

  it('exports a source with its credentials Secret', async () => {
    await env.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'flux-system', namespace: FLUXNS, labels: { a: 'b' } },
      type: 'Opaque',
      data: { username: Buffer.from('git').toString('base64') },
    } as KubeObject);
    const r = await run(['export', 'source', 'git', 'flux-system', '--with-credentials', '-n', FLUXNS]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^---\napiVersion: source\.toolkit\.fluxcd\.io\/v1\nkind: GitRepository\n/);
    expect(
      r.out.endsWith(
        `---\napiVersion: v1\ndata:\n  username: Z2l0\nkind: Secret\nmetadata:\n  name: flux-system\n  namespace: ${FLUXNS}\ntype: Opaque\n`,
      ),
    ).toBe(true);
  });

  it('deletes after a confirmation read from stdin, and aborts without one', async () => {
    await env.client.create({
      apiVersion: GIT.apiVersion,
      kind: GIT.kind,
      metadata: { name: 'to-delete', namespace: FLUXNS },
      spec: { url: 'https://example.com/repo', interval: '5m' },
    } as FluxObject);
    const no = await run(['delete', 'source', 'git', 'to-delete', '-n', FLUXNS], Readable.from(['n\n']));
    expect(no.err).toBe('✗ aborting\n');
    const yes = await run(['delete', 'source', 'git', 'to-delete', '-n', FLUXNS], Readable.from(['y\n']));
    expect(yes.err).toBe(`► deleting source git to-delete in ${FLUXNS} namespace\n✔ source git deleted\n`);
    await until('to-delete gone', () =>
      env.client.get(gvkOf(GIT), { namespace: FLUXNS, name: 'to-delete' }).then(
        () => false,
        () => true,
      ),
    );
  });

  it('lists the events of a Flux object', async () => {
    const r = await run(['events', '--for', 'Kustomization/infrastructure', '-n', FLUXNS]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^LAST SEEN\tTYPE {2}\tREASON +\tOBJECT +\tMESSAGE +$/);
    expect(r.out).toMatch(
      /^3\ds +\tNormal\tReconciliationSucceeded\tKustomization\/infrastructure\tReconciliation finished in 1s\t$/m,
    );
  });

  it('streams events with --watch until interrupted', async () => {
    const stop = new AbortController();
    const io = bufferIO(Readable.from([]), stop.signal);
    const watching = main(['events', '--watch', '--for', 'Kustomization/infrastructure', '-n', FLUXNS], io);
    await until('the event row', () => io.out().includes('Reconciliation finished in 1s'));
    stop.abort();
    expect(await watching).toBe(0);
    expect(io.out().split('\n')[0]).toMatch(/^LAST SEEN\tTYPE {2}\tREASON/);
  });

  it('prints the inventory tree with nested Kustomizations and HelmRelease storage', async () => {
    const r = await run(['tree', 'kustomization', 'flux-system', '-n', FLUXNS]);
    expect(r.out).toBe(
      [
        `Kustomization/${FLUXNS}/flux-system`,
        `├── Namespace/${FLUXNS}`,
        `├── Deployment/${FLUXNS}/kustomize-controller`,
        `├── Kustomization/${FLUXNS}/infrastructure`,
        '│   ├── Namespace/cert-manager',
        `│   └── HelmRelease/${NS}/tree-app`,
        `│       ├── Service/${NS}/tree-app`,
        '│       └── ClusterRole/tree-app',
        `└── GitRepository/${FLUXNS}/flux-system`,
        '',
        '',
      ].join('\n'),
    );
    const compact = await run(['tree', 'ks', 'flux-system', '-n', FLUXNS, '--compact', '-o', 'json']);
    expect(JSON.parse(compact.out)).toEqual({
      resource: {
        Namespace: FLUXNS,
        Name: 'flux-system',
        GroupKind: { Group: 'kustomize.toolkit.fluxcd.io', Kind: 'Kustomization' },
      },
      resources: [
        {
          resource: {
            Namespace: FLUXNS,
            Name: 'infrastructure',
            GroupKind: { Group: 'kustomize.toolkit.fluxcd.io', Kind: 'Kustomization' },
          },
          resources: [
            {
              resource: {
                Namespace: NS,
                Name: 'tree-app',
                GroupKind: { Group: 'helm.toolkit.fluxcd.io', Kind: 'HelmRelease' },
              },
            },
          ],
        },
        {
          resource: {
            Namespace: FLUXNS,
            Name: 'flux-system',
            GroupKind: { Group: 'source.toolkit.fluxcd.io', Kind: 'GitRepository' },
          },
        },
      ],
    });
  });

  it("traces objects to their Kustomization, HelmRelease and sources as flux2's trace goldens", async () => {
    const hr = await run(['trace', 'podinfo', '--kind', 'HelmRelease', '--api-version', HR.apiVersion, '-n', NS]);
    expect(hr.out).toBe(
      `${golden('trace-helmrelease.golden', { ns: NS, fluxns: FLUXNS, kustomizationLastReconcile: '2021-08-01 04:52:56 +0000 UTC', gitRepositoryLastReconcile: '2021-07-20 00:48:16 +0000 UTC' })}`,
    );
    const deploy = await run(['trace', 'podinfo', '--kind', 'deployment', '--api-version=apps/v1', '-n', NS]);
    expect(deploy.out).toBe(
      `${golden('trace-deployment.golden', { ns: NS, fluxns: FLUXNS, helmReleaseLastReconcile: '2021-07-16 15:42:20 +0000 UTC', helmChartLastReconcile: '2021-07-16 15:32:09 +0000 UTC', helmRepositoryLastReconcile: '2021-07-11 00:25:46 +0000 UTC' })}`,
    );
    const dynamic = await run(['trace', 'deployments/podinfo', '-n', NS]);
    expect(dynamic.out.split('\n').slice(0, 2)).toEqual(['', 'Object:         Deployment/podinfo']);
    const unmanaged = await run(['trace', 'secret', 'sh.helm.release.v1.tree-app.v1', '-n', NS]);
    expect(unmanaged.code).toBe(0);
    expect(unmanaged.err).toBe(
      `failed to trace Secret/sh.helm.release.v1.tree-app.v1 in namespace ${NS}: object not managed by Flux`,
    );
    const usage = await run(['trace', 'podinfo', '-n', NS]);
    expect(usage.err).toBe('✗ either `<resource>/<name>` or `<resource> <name>` is required as an argument\n');
  });

  it('reads controller logs, stats and versions', async () => {
    const logs = await run(['logs', '--flux-namespace', FLUXNS, '-n', FLUXNS]);
    expect(logs.out).toBe(`2024-01-01T00:00:00.000Z info Kustomization/apps.${FLUXNS} - Reconciliation finished \n`);
    const errors = await run(['logs', '--flux-namespace', FLUXNS, '-A', '--level', 'error']);
    expect(errors.out).toBe(
      '2024-01-01T00:00:01.000Z error GitRepository/other.elsewhere - Reconciliation failed boom\n',
    );
    const stats = await run(['stats', '-n', FLUXNS]);
    expect(stats.out).toMatch(/^RECONCILERS +\tRUNNING\tFAILING\tSUSPENDED\tSTORAGE \n/);
    expect(stats.out).toMatch(/^GitRepository +\t2 +\t1 +\t0 +\t- +\t$/m);
    const version = await run(['version', '-n', FLUXNS]);
    expect(version.out).toMatch(/^flux: \S+\nkustomize-controller: v1\.5\.0\n$/);
  });

  it('follows controller logs with -f until interrupted', async () => {
    const stop = new AbortController();
    const io = bufferIO(Readable.from([]), stop.signal);
    const done = main(['logs', '-f', '--flux-namespace', FLUXNS, '-n', FLUXNS], io);
    const first = `2024-01-01T00:00:00.000Z info Kustomization/apps.${FLUXNS} - Reconciliation finished \n`;
    await until('the logged line', () => (io.out() === first ? true : undefined), 10_000);
    // A line the controller logs after the command started reaches it through the open stream.
    liveLog?.write(
      `${JSON.stringify({ level: 'info', ts: '2024-01-01T00:00:02.000Z', msg: 'Reconciliation finished', controllerKind: 'Kustomization', name: 'later', namespace: FLUXNS })}\n`,
    );
    await until('the followed line', () => (io.out().split('\n').length === 3 ? true : undefined), 10_000);
    expect(io.out()).toBe(
      `${first}2024-01-01T00:00:02.000Z info Kustomization/later.${FLUXNS} - Reconciliation finished \n`,
    );
    stop.abort();
    expect(await done).toBe(0);
    expect(io.err()).toBe('');
  });

  it(
    'keeps polling a Stalled object on reconcile until --timeout, and fails resume on it at once, as flux',
    { timeout: 20_000 },
    async () => {
      const name = 'stalled';
      await createWithStatus(
        {
          apiVersion: KS.apiVersion,
          kind: KS.kind,
          metadata: { name, namespace: NS },
          spec: {
            interval: '5m',
            path: './',
            prune: true,
            suspend: false,
            sourceRef: { kind: 'GitRepository', name: 'missing' },
          },
        },
        undefined,
      );
      const stalledStatus = (lastHandledReconcileAt?: string) => ({
        observedGeneration: 1,
        ...(lastHandledReconcileAt !== undefined ? { lastHandledReconcileAt } : {}),
        conditions: [
          { ...ready('False', 'invalid path'), reason: 'ArtifactFailed' },
          {
            type: 'Stalled',
            status: 'True',
            reason: 'ArtifactFailed',
            message: 'artifact failed permanently',
            lastTransitionTime: '2021-07-20T00:48:16Z',
          },
        ],
      });
      const ks = await env.client.get<FluxObject>(gvkOf(KS), { namespace: NS, name });
      await env.client.patch(ks, ks.metadata, { status: stalledStatus() }, { type: 'merge', subresource: 'status' });
      // A stand-in controller handles the request and leaves the object Stalled.
      const handled = until(
        'the reconcile request',
        async () => {
          const o = await env.client.get<FluxObject>(gvkOf(KS), { namespace: NS, name });
          const at = o.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
          if (at === undefined) return undefined;
          await env.client.patch(
            o,
            o.metadata,
            { status: stalledStatus(at) },
            { type: 'merge', subresource: 'status' },
          );
          return at;
        },
        10_000,
      );
      const io = bufferIO();
      const code = await main(['reconcile', 'ks', name, '-n', NS, '--timeout=2s'], io);
      await handled;
      expect(io.err()).toBe(
        [
          `► annotating Kustomization ${name} in ${NS} namespace`,
          '✔ Kustomization annotated',
          '◎ waiting for Kustomization reconciliation',
          '✗ context deadline exceeded',
          '',
        ].join('\n'),
      );
      expect(code).toBe(1);
      // resume: isObjectReady's kstatus Failed ends the wait with the Stalled message; flux reports completion after it.
      const r = await run(['resume', 'ks', name, '-n', NS]);
      expect(r.err).toBe(
        [
          `► resuming kustomization ${name} in ${NS} namespace`,
          '✔ kustomization resumed',
          '◎ waiting for Kustomization reconciliation',
          '✗ artifact failed permanently',
          `✔ Kustomization ${name} reconciliation completed`,
          '✔ applied revision ',
          '',
        ].join('\n'),
      );
      expect(r.code).toBe(0);
    },
  );

  it('answers a kind the cluster does not serve with a clear error', async () => {
    await env.client.delete(
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' },
      { name: 'receivers.notification.toolkit.fluxcd.io' },
    );
    await until('receivers unserved', () =>
      run(['get', 'receivers', '-n', FLUXNS]).then((r) => r.err.includes('no matches for kind') && r),
    );
    const r = await run(['get', 'receivers', '-n', FLUXNS]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`✗ no matches for kind "Receiver" in version "notification.toolkit.fluxcd.io/v1"\n`);
    const all = await run(['get', 'all', '-n', FLUXNS]);
    expect(all.code).toBe(0);
    expect(all.err).toBe('');
  });
});
