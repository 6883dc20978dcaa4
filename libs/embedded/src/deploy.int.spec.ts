/**
 * deploy/ as a cluster sees it (issue 20, item 1): our kustomize engine builds deploy/install, install-extra and the
 * sharding example byte-identically with the real `kubectl kustomize`; the built Deployments keep Flux's shape;
 * `kubectl apply --server-side` takes them on libs/apiserver; and each controller's ServiceAccount may do what its
 * code does and, outside kustomize- and helm-controller (cluster-admin, as in Flux), not more.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@flux-ts/runtime';
import { startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { EXTRA_CONTROLLERS, FLUX_CONTROLLERS } from './controller-names.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
const DEPLOY = resolve(REPO, 'deploy');
const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
// The engine through its bin (build + toYaml, as libs/kustomize's differential suite calls them): libs/embedded
// does not list @flux-ts/kustomize among its references.
const ENGINE = resolve(REPO, 'libs/kustomize/bin/flux-ts-kustomize.js');
const NS = 'flux-system';
const BUILD_TIMEOUT = 120_000;
const MAX_BUFFER = 64 * 1024 * 1024;

/** The six controllers deploy/install runs, and the optional one deploy/install-extra adds. */
const CONTROLLERS = FLUX_CONTROLLERS;
const EXTRA = EXTRA_CONTROLLERS;
type Controller = (typeof CONTROLLERS)[number] | (typeof EXTRA)[number];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the API server runs in this process); never throws on exit code. */
async function exec(cmd: string, args: readonly string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: REPO, maxBuffer: MAX_BUFFER, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const built = new Map<string, Promise<{ kubectl: Result; engine: Result }>>();
/** `kubectl kustomize <dir>` and the engine's build of the same directory (once per directory and run). */
function builds(dir: string): Promise<{ kubectl: Result; engine: Result }> {
  let b = built.get(dir);
  if (!b) {
    b = Promise.all([
      exec(KUBECTL, ['kustomize', resolve(DEPLOY, dir)]),
      exec(process.execPath, [ENGINE, 'build', resolve(DEPLOY, dir)]),
    ]).then(([kubectl, engine]) => ({ kubectl, engine }));
    built.set(dir, b);
  }
  return b;
}

const parse = (yaml: string): KubeObject[] =>
  parseAllDocuments(yaml)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);

describe('deploy/ builds byte-identically with kubectl kustomize', () => {
  it.each(['install', 'install-extra', 'examples/sharding'])('deploy/%s', { timeout: BUILD_TIMEOUT }, async (dir) => {
    const { kubectl, engine } = await builds(dir);
    expect(kubectl.stderr).toBe('');
    expect(kubectl.code).toBe(0);
    expect(engine.stderr).toBe('');
    expect(engine.code).toBe(0);
    expect(engine.stdout).toBe(kubectl.stdout);
  });
});

/** One container's pod spec fields this suite reads. */
interface Container {
  name: string;
  image: string;
  args: string[];
  env: { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { limits: Record<string, string>; requests: Record<string, string> };
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
}
interface Deployment extends KubeObject {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { serviceAccountName: string; containers: Container[]; volumes: { name: string; emptyDir?: object }[] };
    };
  };
}

describe('deploy/install-extra in Flux shape', () => {
  let objects: KubeObject[];
  const find = (kind: string, name: string): KubeObject | undefined =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);

  beforeAll(async () => {
    const { kubectl } = await builds('install-extra');
    objects = parse(kubectl.stdout);
  }, BUILD_TIMEOUT);

  it('labels the flux-system Namespace as Flux does', () => {
    expect(find('Namespace', NS)?.metadata.labels).toEqual({
      'app.kubernetes.io/instance': NS,
      'app.kubernetes.io/part-of': 'flux',
      'app.kubernetes.io/version': 'v0.1.0',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
  });

  it.each([...CONTROLLERS, ...EXTRA])('%s: ServiceAccount, Deployment, probes, ports and restricted pod', (name) => {
    expect(find('ServiceAccount', name)?.metadata.namespace).toBe(NS);
    const d = find('Deployment', name) as Deployment | undefined;
    expect(d?.metadata.namespace).toBe(NS);
    expect(d?.metadata.labels).toMatchObject({
      'control-plane': 'controller',
      'app.kubernetes.io/component': name,
      'app.kubernetes.io/part-of': 'flux',
      'app.kubernetes.io/instance': NS,
    });
    const pod = d!.spec.template;
    expect(d!.spec.selector.matchLabels).toEqual({ app: name });
    expect(pod.metadata.labels['app']).toBe(name);
    expect(pod.spec.serviceAccountName).toBe(name);
    const [c, ...more] = pod.spec.containers;
    expect(more).toEqual([]);
    expect(c!.name).toBe('manager');
    expect(c!.image).toBe(`ghcr.io/flux-ts/${name}:v0.1.0`);
    expect(c!.args).toEqual(
      expect.arrayContaining(['--log-level=info', '--log-encoding=json', '--enable-leader-election']),
    );
    if (name !== 'notification-controller')
      expect(c!.args[0]).toBe('--events-addr=http://notification-controller.$(RUNTIME_NAMESPACE).svc.cluster.local./');
    expect(c!.env).toContainEqual({
      name: 'RUNTIME_NAMESPACE',
      valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });
    const ports = Object.fromEntries(c!.ports.map((p) => [p.name, p.containerPort]));
    expect(ports).toMatchObject({ 'http-prom': 8080, healthz: 9440 });
    expect(c!.livenessProbe.httpGet).toEqual({ port: 'healthz', path: '/healthz' });
    // The artifact servers are Ready only on the leader (Flux's probe on `http`), so their Service finds the leader.
    expect(c!.readinessProbe.httpGet).toEqual(
      ports['http'] !== undefined && name !== 'notification-controller'
        ? { port: 'http', path: '/' }
        : { port: 'healthz', path: '/readyz' },
    );
    expect(c!.resources.limits).toEqual({ cpu: '1000m', memory: '1Gi' });
    expect(c!.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const mounts = Object.fromEntries(c!.volumeMounts.map((m) => [m.mountPath, m.name]));
    expect(mounts['/tmp']).toBeDefined();
    for (const v of pod.spec.volumes) expect(v.emptyDir).toEqual({});
  });

  it('passes the storage flags to the artifact servers', () => {
    for (const name of ['source-controller', 'source-watcher']) {
      const c = (find('Deployment', name) as Deployment).spec.template.spec.containers[0]!;
      expect(c.args).toContain('--storage-path=/data');
      expect(c.args).toContain(`--storage-adv-addr=${name}.$(RUNTIME_NAMESPACE).svc.cluster.local.`);
      expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    }
  });

  it.each([
    ['source-controller', 'source-controller', 'http'],
    ['notification-controller', 'notification-controller', 'http'],
    ['webhook-receiver', 'notification-controller', 'http-webhook'],
    ['source-watcher', 'source-watcher', 'http'],
  ])('Service %s: port 80 to %s:%s', (svc, app, target) => {
    expect((find('Service', svc) as KubeObject & { spec: unknown }).spec).toEqual({
      type: 'ClusterIP',
      selector: { app },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: target }],
    });
  });

  it("has Flux's NetworkPolicies, aggregated roles, cluster-admin binding and quota", () => {
    for (const p of ['allow-egress', 'allow-scraping', 'allow-webhooks'])
      expect(find('NetworkPolicy', p)?.metadata.namespace).toBe(NS);
    expect(find('ClusterRole', 'flux-view-flux-system')?.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-view': 'true',
    });
    expect(find('ClusterRole', 'flux-edit-flux-system')?.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
    });
    const reconciler = find('ClusterRoleBinding', 'cluster-reconciler-flux-system') as KubeObject & {
      roleRef: { name: string };
      subjects: { name: string; namespace: string }[];
    };
    expect(reconciler.roleRef.name).toBe('cluster-admin');
    expect(reconciler.subjects.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      `${NS}/kustomize-controller`,
      `${NS}/helm-controller`,
    ]);
    expect(find('ResourceQuota', 'critical-pods-flux-system')?.metadata.namespace).toBe(NS);
    expect(find('CustomResourceDefinition', 'gitrepositories.source.toolkit.fluxcd.io')).toBeDefined();
  });
});

describe('deploy/examples/sharding', () => {
  it(
    'scales source-controller, raises --concurrent and adds the shard1 source-controller',
    { timeout: BUILD_TIMEOUT },
    async () => {
      const objects = parse((await builds('examples/sharding')).kubectl.stdout);
      const deployment = (name: string): Deployment =>
        objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as Deployment;
      const args = (name: string): string[] => deployment(name).spec.template.spec.containers[0]!.args;

      expect(args('source-controller')).toContain('--watch-label-selector=!sharding.fluxcd.io/key');
      expect(args('source-controller-shard1')).toContain('--watch-label-selector=sharding.fluxcd.io/key in (shard1)');
      expect(args('source-controller-shard1')).toContain(
        '--storage-adv-addr=source-controller-shard1.$(RUNTIME_NAMESPACE).svc.cluster.local.',
      );
      for (const name of ['source-controller', 'source-controller-shard1'])
        expect((deployment(name).spec as { replicas?: number }).replicas).toBe(2);
      const shard = deployment('source-controller-shard1');
      expect(shard.spec.selector.matchLabels).toEqual({ app: 'source-controller-shard1' });
      expect(shard.spec.template.spec.serviceAccountName).toBe('source-controller');
      const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'source-controller-shard1');
      expect((service as KubeObject & { spec: { selector: unknown } }).spec.selector).toEqual({
        app: 'source-controller-shard1',
      });
      for (const name of ['kustomize-controller', 'helm-controller']) expect(args(name)).toContain('--concurrent=20');
      expect(args('notification-controller')).not.toContain('--concurrent=20');
      // The shard brings no RBAC of its own: it runs as source-controller.
      expect(objects.filter((o) => o.metadata.name.endsWith('-shard1')).map((o) => o.kind)).toEqual([
        'Service',
        'Deployment',
      ]);
    },
  );
});

/** One access a controller's code makes: verb, `resource[.group][/subresource]`, and where. */
type Access = readonly [verb: string, resource: string, namespace: 'all' | 'tenant' | 'own'];

const watched = (resource: string): Access[] => [
  ['list', resource, 'all'],
  ['watch', resource, 'all'],
  ['get', resource, 'tenant'],
];
/** A reconciled kind: informer, finalizer (patch of the object) and status patch. */
const reconciled = (resource: string): Access[] => [
  ...watched(resource),
  ['patch', resource, 'tenant'],
  ['patch', `${resource}/status`, 'tenant'],
];
/** What every controller's runtime does: Events in the object's namespace, its Lease in its own namespace. */
const RUNTIME: Access[] = [
  ['create', 'events', 'tenant'],
  ['patch', 'events', 'tenant'],
  ['get', 'leases.coordination.k8s.io', 'own'],
  ['create', 'leases.coordination.k8s.io', 'own'],
  ['update', 'leases.coordination.k8s.io', 'own'],
];

/**
 * What each controller's code calls (apps/<controller>/src; the image-automation-controller, which has no
 * reconciler yet, after upstream's kubebuilder markers).
 */
const CODE_ACCESS: Record<Controller, Access[]> = {
  'source-controller': [
    // gitrepository/, helmrepository/, helmchart/ setup.ts + reconciler.ts (sources of a HelmChart through the cache)
    ...reconciled('gitrepositories.source.toolkit.fluxcd.io'),
    ...reconciled('helmrepositories.source.toolkit.fluxcd.io'),
    ...reconciled('helmcharts.source.toolkit.fluxcd.io'),
    ...watched('buckets.source.toolkit.fluxcd.io'),
    // source-reconcile.ts readSecretData (uncached)
    ['get', 'secrets', 'tenant'],
    ...RUNTIME,
  ],
  'kustomize-controller': [
    // kustomization/setup.ts: the Kustomization informer and the source kinds it watches
    ...reconciled('kustomizations.kustomize.toolkit.fluxcd.io'),
    ...watched('gitrepositories.source.toolkit.fluxcd.io'),
    ...watched('ocirepositories.source.toolkit.fluxcd.io'),
    ...watched('buckets.source.toolkit.fluxcd.io'),
    ...watched('externalartifacts.source.toolkit.fluxcd.io'),
    // steps/build.ts (SOPS keys), steps/apply.ts (kubeConfig Secret), postBuild substituteFrom, watched configs
    ...watched('secrets'),
    ...watched('configmaps'),
    // steps/apply.ts: impersonation of spec.serviceAccountName; what it applies: anything
    ['impersonate', 'serviceaccounts', 'tenant'],
    ['create', 'deployments.apps', 'tenant'],
    ['create', 'customresourcedefinitions.apiextensions.k8s.io', 'all'],
    ['delete', 'namespaces', 'all'],
    ...RUNTIME,
  ],
  'helm-controller': [
    // helmrelease/setup.ts, chart.ts (the HelmChart it creates and deletes, OCIRepository, ExternalArtifact)
    ...reconciled('helmreleases.helm.toolkit.fluxcd.io'),
    ...watched('helmcharts.source.toolkit.fluxcd.io'),
    ['create', 'helmcharts.source.toolkit.fluxcd.io', 'tenant'],
    ['delete', 'helmcharts.source.toolkit.fluxcd.io', 'tenant'],
    ...watched('ocirepositories.source.toolkit.fluxcd.io'),
    ...watched('externalartifacts.source.toolkit.fluxcd.io'),
    // kube-client.ts: the release storage (helm.sh/release.v1 Secrets); valuesFrom ConfigMaps and Secrets
    ...watched('secrets'),
    ['create', 'secrets', 'tenant'],
    ['update', 'secrets', 'tenant'],
    ['delete', 'secrets', 'tenant'],
    ...watched('configmaps'),
    // reconciler.ts: the impersonated ServiceAccount; what it installs: anything
    ['get', 'serviceaccounts', 'tenant'],
    ['impersonate', 'serviceaccounts', 'tenant'],
    ['create', 'deployments.apps', 'tenant'],
    ...RUNTIME,
  ],
  'notification-controller': [
    // static-kinds/ (Alert, Provider), receiver/setup.ts (Receiver), controller.ts (Secrets)
    ...reconciled('alerts.notification.toolkit.fluxcd.io'),
    ...reconciled('providers.notification.toolkit.fluxcd.io'),
    ...reconciled('receivers.notification.toolkit.fluxcd.io'),
    ...watched('secrets'),
    // receiver/resources.ts: requestReconciliation reads (or lists by labels) and patches the Receiver's targets
    ...['buckets', 'gitrepositories', 'helmcharts', 'helmrepositories', 'ocirepositories'].flatMap((r): Access[] => [
      ...watched(`${r}.source.toolkit.fluxcd.io`),
      ['patch', `${r}.source.toolkit.fluxcd.io`, 'tenant'],
    ]),
    ['patch', 'imagerepositories.image.toolkit.fluxcd.io', 'tenant'],
    ['patch', 'artifactgenerators.source.extensions.fluxcd.io', 'tenant'],
    ['patch', 'kustomizations.kustomize.toolkit.fluxcd.io', 'tenant'],
    ['patch', 'helmreleases.helm.toolkit.fluxcd.io', 'tenant'],
    ...RUNTIME,
  ],
  'image-reflector-controller': [
    // imagerepository/, imagepolicy/ (setup.ts, reconciler.ts: the accessFrom Namespace)
    ...reconciled('imagerepositories.image.toolkit.fluxcd.io'),
    ...reconciled('imagepolicies.image.toolkit.fluxcd.io'),
    ['get', 'namespaces', 'all'],
    // registry/options.ts: pull Secrets, a ServiceAccount's imagePullSecrets
    ['get', 'secrets', 'tenant'],
    ['get', 'serviceaccounts', 'tenant'],
    ['create', 'serviceaccounts/token', 'tenant'],
    ...RUNTIME,
  ],
  'image-automation-controller': [
    ...reconciled('imageupdateautomations.image.toolkit.fluxcd.io'),
    ...watched('imagepolicies.image.toolkit.fluxcd.io'),
    ...watched('gitrepositories.source.toolkit.fluxcd.io'),
    ['get', 'secrets', 'tenant'],
    ...RUNTIME,
  ],
  'source-watcher': [
    // artifactgenerator/setup.ts watches @flux-ts/api's ArtifactGeneratorSourceKinds; reconciler.ts: ExternalArtifacts
    ...reconciled('artifactgenerators.source.extensions.fluxcd.io'),
    ...['buckets', 'gitrepositories', 'ocirepositories', 'helmcharts', 'externalartifacts'].flatMap((r) =>
      watched(`${r}.source.toolkit.fluxcd.io`),
    ),
    ['create', 'externalartifacts.source.toolkit.fluxcd.io', 'tenant'],
    ['patch', 'externalartifacts.source.toolkit.fluxcd.io', 'tenant'],
    ['patch', 'externalartifacts.source.toolkit.fluxcd.io/status', 'tenant'],
    ['delete', 'externalartifacts.source.toolkit.fluxcd.io', 'tenant'],
    ...RUNTIME,
  ],
};

/** What a least-privilege controller must not do. */
const FORBIDDEN: Access[] = [
  ['create', 'deployments.apps', 'tenant'],
  ['create', 'secrets', 'tenant'],
  ['delete', 'namespaces', 'all'],
  ['create', 'clusterrolebindings.rbac.authorization.k8s.io', 'all'],
  ['impersonate', 'serviceaccounts', 'tenant'],
  ['create', 'leases.coordination.k8s.io', 'tenant'],
];

/** authorization.k8s.io/v1 SubjectAccessReview, the fields this suite sends and reads. */
interface SubjectAccessReview extends KubeObject {
  spec: { user: string; groups: string[]; resourceAttributes: Record<string, string> };
  status?: { allowed?: boolean };
}

describe('deploy/install on libs/apiserver', () => {
  let env: TestEnv;
  const kubectl = (args: readonly string[]): Promise<Result> =>
    exec(KUBECTL, ['--kubeconfig', env.kubeconfigPath, ...args]);
  const sa = (name: string): string => `--as=system:serviceaccount:${NS}:${name}`;

  /** A SubjectAccessReview for the controller's ServiceAccount (what `kubectl auth can-i --as` asks, minus a process). */
  async function canI(controller: string, [verb, resource, where]: Access): Promise<boolean> {
    const [res = '', subresource] = resource.split('/');
    const dot = res.indexOf('.');
    const review = await env.client.create<SubjectAccessReview>({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: { name: '' },
      spec: {
        user: `system:serviceaccount:${NS}:${controller}`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
        resourceAttributes: {
          verb,
          group: dot < 0 ? '' : res.slice(dot + 1),
          resource: dot < 0 ? res : res.slice(0, dot),
          ...(subresource ? { subresource } : {}),
          ...(where === 'all' ? {} : { namespace: where === 'own' ? NS : 'tenant' }),
        },
      },
    });
    return review.status?.allowed === true;
  }

  beforeAll(async () => {
    env = await startTestEnv({ dirPrefix: 'flux-ts-deploy-', namespaces: ['tenant'] });
  }, BUILD_TIMEOUT);
  afterAll(async () => {
    await env?.close();
  });

  // As on any cluster, a dry run cannot create the namespace its namespaced objects need: it runs where flux-system
  // exists (an upgrade, or a namespace created beforehand).
  it.each(['install', 'install-extra', 'examples/sharding'])(
    'kubectl apply --server-side --dry-run=server -k deploy/%s passes and creates nothing',
    { timeout: BUILD_TIMEOUT },
    async (dir) => {
      await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }).catch((err: unknown) => {
        if ((err as { status?: number }).status !== 409) throw err;
      });
      const r = await kubectl(['apply', '--server-side', '--dry-run=server', '-k', resolve(DEPLOY, dir)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('deployment.apps/source-controller serverside-applied (server dry run)');
      const deployments = await kubectl(['get', 'deployments', '-n', NS]);
      expect(deployments.stderr).toBe(`No resources found in ${NS} namespace.\n`);
    },
  );

  describe('after kubectl apply --server-side -k deploy/install-extra', () => {
    beforeAll(async () => {
      const r = await kubectl(['apply', '--server-side', '-k', resolve(DEPLOY, 'install-extra')]);
      if (r.code !== 0) throw new Error(`apply failed: ${r.stderr}`);
      // RBAC answers as soon as the bindings are stored; wait on that level rather than on time.
      await until('the source-controller binding to be effective', () =>
        canI('source-controller', ['get', 'gitrepositories.source.toolkit.fluxcd.io', 'all']),
      );
    }, BUILD_TIMEOUT);

    it('source-controller may not create Deployments but may get GitRepositories', { timeout: 30_000 }, async () => {
      const create = await kubectl(['auth', 'can-i', 'create', 'deployments', '-A', sa('source-controller')]);
      expect(create.stdout.trim()).toBe('no');
      expect(create.code).toBe(1);
      const get = await kubectl(['auth', 'can-i', 'get', 'gitrepositories', '-A', sa('source-controller')]);
      expect(get.stdout.trim()).toBe('yes');
      expect(get.code).toBe(0);
    });

    it('kustomize-controller and helm-controller may do anything (cluster-admin)', { timeout: 30_000 }, async () => {
      for (const name of ['kustomize-controller', 'helm-controller']) {
        const any = await kubectl(['auth', 'can-i', '*', '*', '-A', sa(name)]);
        expect(any.stdout.trim()).toBe('yes');
      }
    });

    it('notification-controller may patch GitRepositories (Receivers)', { timeout: 30_000 }, async () => {
      const patch = await kubectl(['auth', 'can-i', 'patch', 'gitrepositories', '-A', sa('notification-controller')]);
      expect(patch.stdout.trim()).toBe('yes');
      const create = await kubectl(['auth', 'can-i', 'create', 'deployments', '-A', sa('notification-controller')]);
      expect(create.stdout.trim()).toBe('no');
    });

    it.each([...CONTROLLERS, ...EXTRA])(
      '%s may do every call its code makes',
      { timeout: 120_000 },
      async (controller) => {
        const denied: string[] = [];
        for (const access of CODE_ACCESS[controller])
          if (!(await canI(controller, access))) denied.push(access.join(' '));
        expect(denied).toEqual([]);
      },
    );

    it.each([
      'source-controller',
      'notification-controller',
      'image-reflector-controller',
      'image-automation-controller',
      'source-watcher',
    ])('%s may do nothing outside its role', { timeout: 60_000 }, async (controller) => {
      const allowed: string[] = [];
      for (const access of FORBIDDEN) if (await canI(controller, access)) allowed.push(access.join(' '));
      expect(allowed).toEqual([]);
    });

    it(
      'a user bound to flux-view may read Flux objects through the aggregated view role',
      { timeout: 30_000 },
      async () => {
        const bind = await kubectl([
          'create',
          'rolebinding',
          'viewer',
          '--clusterrole=view',
          '--user=jane',
          '-n',
          'tenant',
        ]);
        expect(bind.code).toBe(0);
        await until('the view binding to be effective', async () => {
          const r = await kubectl(['auth', 'can-i', 'list', 'kustomizations', '-n', 'tenant', '--as=jane']);
          return r.stdout.trim() === 'yes';
        });
        const edit = await kubectl(['auth', 'can-i', 'patch', 'kustomizations', '-n', 'tenant', '--as=jane']);
        expect(edit.stdout.trim()).toBe('no');
      },
    );
  });
});
