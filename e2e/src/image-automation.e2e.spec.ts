/**
 * Image automation end to end (issue 19's acceptance): the seeds' `03-image-automation.yaml` (ImageRepository and
 * ImagePolicy v1alpha1, ImageUpdateAutomation v1alpha2, applied with the real kubectl; only the image's registry
 * changed, to point at a loopback registry, which Flux reaches over plain HTTP without `insecure`) against Debian's docker-registry with timestamp tags and a
 * fleet repository on the local git server, first over smart HTTP, then over SSH (Debian's sshd). source-,
 * kustomize-, image-reflector- and image-automation-controller run as their own processes against libs/apiserver.
 *
 * A pushed tag goes: ImageRepository scan → ImagePolicy (alphabetical asc) → a commit by fluxbot on `eks` with the
 * seed's message → GitRepository → Kustomization → the Deployment with the new image. The test plays the webhooks a
 * user would configure (a registry's Receiver: `reconcile.fluxcd.io/requestedAt` on the ImageRepository; a git
 * host's: the same on the GitRepository once the branch moves), and prints each tag-to-applied time (bench/README.md
 * records them; nothing here is timed). Signing, the redo on a moved remote and the failure conditions are covered by
 * apps/image-automation-controller's integration tests.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '@flux-ts/embedded';
import { RegistryClient, pushImage } from '@flux-ts/oci';
import type { KubeObject } from '@flux-ts/runtime';
import { run, startRegistry, startSshGitServer } from '@flux-ts/testbed';
import type { Registry, SshGitServer } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';
import { GIT_ENV, GVK as gvk, KUBECTL, startE2eStack } from './stack.ts';

const seedFile = join(import.meta.dirname, '..', 'fixtures', 'seeds', '03-image-automation.yaml');
const REGISTRY_AUTH = { username: 'fluxbot', password: 'e2e-Regi5try' };
/** The seed's image as the fleet file names it (the seed's `registry.example.test` becomes the loopback registry). */
const SEED_REGISTRY = 'registry.example.test';
const FIRST_TAG = '20210608052721';
const MESSAGE = 'An automated update from FluxBot\n[ci skip]\n';

const fluxSystem = (name: string) => ({ namespace: 'flux-system', name });

interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type Flux = KubeObject & {
  status?: {
    conditions?: Cond[];
    observedGeneration?: number;
    lastAppliedRevision?: string;
    artifact?: { revision: string };
    latestRef?: { name: string; tag: string };
    lastPushCommit?: string;
    observedPolicies?: Record<string, { name: string; tag: string }>;
    lastScanResult?: { tagCount: number };
  };
};
type Deployment = KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } };

const ready = (o: Flux): Cond | undefined => o.status?.conditions?.find((c) => c.type === 'Ready');

/** The seed's documents: the three Flux objects for kubectl, and the Deployment that lives in the fleet repository. */
function seedParts(registryHost: string): { objects: string; deployment: string } {
  const docs = readFileSync(seedFile, 'utf8')
    .split(/^---\n/m)
    .map((d) => d.replace(/^#.*\n/gm, ''));
  const deployment = docs.find((d) => /^kind: Deployment$/m.test(d));
  if (!deployment) throw new Error(`no Deployment in ${seedFile}`);
  const objects = docs
    .filter((d) => d !== deployment)
    .map((d) => d.replace(`image: ${SEED_REGISTRY}/shop/account`, `image: ${registryHost}/shop/account`))
    .join('---\n');
  return { objects, deployment: deployment.replace(SEED_REGISTRY, registryHost) };
}

/**
 * A fleet file the automation must leave byte for byte (comments, quoting, flow style, no trailing newline), with a
 * marker naming a policy that does not exist.
 */
const SETTINGS = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}   # flow style
data:
  greeting:   'hello   world'  # odd spacing
  image: "registry.example.test/shop/account:${FIRST_TAG}" # {"$imagepolicy": "flux-system:missing"}`;

describe('e2e: image automation (seeds 03) from a registry tag to an applied Deployment', () => {
  let e: Embedded;
  let tmp: string;
  let work: string;
  let bare: string;
  let kubeconfig: string;
  let registry: Registry;
  let sshd: SshGitServer | undefined;
  let deploymentFile: string;
  const timings: string[] = [];

  const kubectl = (...args: string[]): Promise<string> => run(KUBECTL, ['--kubeconfig', kubeconfig, ...args]);
  const git = (...args: string[]): Promise<string> => run('git', ['-C', work, ...args], { env: GIT_ENV });
  const bareGit = (...args: string[]): Promise<string> =>
    run('git', ['--git-dir', bare, ...args], { env: GIT_ENV }).then((s) => s.trim());
  const image = (tag: string): string => `${registry.host}/shop/account:${tag}`;

  /** Pushes a tiny OCI image to the registry under each tag, as CI would after a build. */
  async function pushTags(...tags: string[]): Promise<void> {
    const client = new RegistryClient({ insecure: true, credentials: REGISTRY_AUTH });
    try {
      const signal = AbortSignal.timeout(30_000);
      await pushImage(client, registry.host, 'shop/account', tags, `account ${tags.join(',')}`, signal);
    } finally {
      client.close();
    }
  }

  /** What a webhook Receiver (or `flux reconcile`) does: annotate the object so that it reconciles now. */
  async function requestReconcile(g: { apiVersion: string; kind: string }, name: string): Promise<void> {
    await e.client.patch(
      g,
      fluxSystem(name),
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } } },
      { type: 'merge' },
    );
  }

  /**
   * Follows one tag through the loop and returns the commit the automation pushed: policy elected → branch `eks`
   * moved past `previous` → (the git host's webhook) → Kustomization applied it → Deployment runs the image.
   */
  async function followTag(tag: string, previous: string, t0: number, what: string): Promise<string> {
    await until(
      `ImagePolicy elects ${tag}`,
      async () => (await e.client.get<Flux>(gvk.policy, fluxSystem('account'))).status?.latestRef?.tag === tag,
      30_000,
      50,
    );
    const tPolicy = performance.now();
    const commit = await until(
      `a commit on eks after ${previous}`,
      async () => {
        const head = await bareGit('rev-parse', 'refs/heads/eks');
        return head !== previous ? head : undefined;
      },
      30_000,
      50,
    );
    const tCommit = performance.now();
    await requestReconcile(gvk.git, 'flux-system');
    await until(
      `Kustomization applied ${commit}`,
      async () => {
        const ks = await e.client.get<Flux>(gvk.ks, fluxSystem('flux-system'));
        return ks.status?.lastAppliedRevision === `eks@sha1:${commit}` && ready(ks)?.status === 'True';
      },
      30_000,
      50,
    );
    const dep = await e.client.get<Deployment>(gvk.deployment, { namespace: 'shop', name: 'account' });
    expect(dep.spec.template.spec.containers[0]?.image).toBe(image(tag));
    const tApplied = performance.now();
    const ms = (a: number, b: number): number => Math.round(b - a);
    timings.push(
      `${what}: tag → applied ${ms(t0, tApplied)} ms (→ policy ${ms(t0, tPolicy)}, → commit ${ms(tPolicy, tCommit)}, → applied ${ms(tCommit, tApplied)})`,
    );
    return commit;
  }

  /** The automation's commit: the seed's message and author, one file changed, the marker's image set. */
  async function expectAutomationCommit(commit: string, parent: string, tag: string): Promise<void> {
    expect(await bareGit('log', '-1', '--format=%an <%ae>%n%cn <%ce>%n%P', commit)).toBe(
      `fluxbot <fluxbot@example.com>\nfluxbot <fluxbot@example.com>\n${parent}`,
    );
    expect(await run('git', ['--git-dir', bare, 'log', '-1', '--format=%B', commit], { env: GIT_ENV })).toBe(
      `${MESSAGE}\n`,
    );
    expect(await bareGit('diff', '--name-only', parent, commit)).toBe('clusters/eks/account.yaml');
    const file = await run('git', ['--git-dir', bare, 'show', `${commit}:clusters/eks/account.yaml`], {
      env: GIT_ENV,
    });
    expect(file).toBe(deploymentFile.replace(`account:${FIRST_TAG}`, `account:${tag}`));
    expect(
      await run('git', ['--git-dir', bare, 'show', `${commit}:clusters/eks/settings.yaml`], { env: GIT_ENV }),
    ).toBe(SETTINGS);
    const auto = await e.client.get<Flux>(gvk.auto, fluxSystem('flux-system'));
    expect(auto.status?.lastPushCommit).toBe(commit);
    expect(auto.status?.observedPolicies).toEqual({ account: { name: `${registry.host}/shop/account`, tag } });
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'flux-ts-e2e-image-'));
    [registry, e] = await Promise.all([
      startRegistry({ dir: join(tmp, 'registry'), auth: REGISTRY_AUTH }),
      startE2eStack(tmp, {
        controllers: [
          'source-controller',
          'kustomize-controller',
          'image-reflector-controller',
          'image-automation-controller',
        ],
      }),
    ]);
    kubeconfig = e.layout.kubeconfig;
    // The fleet repository: bare on the git server (pushes allowed), branch eks, and a working clone to seed it.
    bare = join(e.layout.git, 'fleet.git');
    await run('git', ['init', '-q', '--bare', '-b', 'eks', bare], { env: GIT_ENV });
    await run('git', ['-C', bare, 'config', 'http.receivepack', 'true'], { env: GIT_ENV });
    work = join(tmp, 'fleet');
    await run('git', ['init', '-q', '-b', 'eks', work], { env: GIT_ENV });
  }, 60_000);

  afterAll(async () => {
    if (timings.length > 0) console.log(`image automation e2e timings:\n  ${timings.join('\n  ')}`);
    await sshd?.close();
    await e?.stop();
    await registry?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  let afterHttp = '';

  it(
    'over HTTP: the seeds commit the newest timestamp tag on eks, and the Kustomization applies it; a later tag too',
    { timeout: 90_000 },
    async () => {
      const { objects, deployment } = seedParts(registry.host);
      deploymentFile = deployment;
      const fleetFiles: Record<string, string> = {
        'clusters/eks/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
        'clusters/eks/account.yaml': deployment,
        'clusters/eks/settings.yaml': SETTINGS,
      };
      for (const [p, text] of Object.entries(fleetFiles)) {
        mkdirSync(dirname(join(work, p)), { recursive: true });
        writeFileSync(join(work, p), text);
      }
      await git('add', '-A');
      await git('-c', 'user.name=e2e', '-c', 'user.email=e2e@flux-ts.local', 'commit', '-qm', 'fleet');
      await git('push', '-q', `${e.git.url}/fleet.git`, 'eks');
      const initial = await bareGit('rev-parse', 'refs/heads/eks');
      await pushTags(FIRST_TAG, '20210609000000');

      // What `flux bootstrap` would have created, then the seed as users have it.
      const auth = Buffer.from(`${REGISTRY_AUTH.username}:${REGISTRY_AUTH.password}`).toString('base64');
      const dockerConfig = JSON.stringify({ auths: { [registry.host]: { auth } } });
      const manifests = join(tmp, 'flux-system.yaml');
      writeFileSync(
        manifests,
        `apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
---
apiVersion: v1
kind: Secret
metadata:
  name: ecr-credentials
  namespace: flux-system
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '${dockerConfig}'
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  url: ${e.git.url}/fleet.git
  ref:
    branch: eks
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m
  path: ./clusters/eks
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
      );
      await kubectl('apply', '-f', manifests);
      const seed = join(tmp, 'image-automation.yaml');
      writeFileSync(seed, objects);
      const t0 = performance.now();
      const out = await kubectl('apply', '-f', seed);
      expect(out).toContain('imagerepository.image.toolkit.fluxcd.io/account created');
      expect(out).toContain('imagepolicy.image.toolkit.fluxcd.io/account created');
      expect(out).toContain('imageupdateautomation.image.toolkit.fluxcd.io/flux-system created');

      const first = await followTag('20210609000000', initial, t0, 'seed applied (HTTP)');
      await expectAutomationCommit(first, initial, '20210609000000');
      const scanned = await e.client.get<Flux>(gvk.repo, fluxSystem('account'));
      expect(scanned.status?.lastScanResult?.tagCount).toBe(2);

      // A tag pushed later: the registry's webhook asks for a scan, and the same loop runs again.
      const t1 = performance.now();
      await pushTags('20210610000000');
      await requestReconcile(gvk.repo, 'account');
      afterHttp = await followTag('20210610000000', first, t1, 'later tag (HTTP)');
      await expectAutomationCommit(afterHttp, first, '20210610000000');
      expect(e.git.counts().receivePack).toBe(3); // the fleet's first push, then the automation's two
    },
  );

  it(
    'over SSH: the same fleet reached with an SSH key, a new tag committed and applied',
    { timeout: 60_000 },
    async () => {
      sshd = await startSshGitServer({ root: e.layout.git });
      const b64 = (s: string): string => Buffer.from(s).toString('base64');
      await e.client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'flux-system-ssh', namespace: 'flux-system' },
        data: { identity: b64(sshd.identity), known_hosts: b64(sshd.knownHosts) },
      } as KubeObject);
      await e.client.patch(
        gvk.git,
        fluxSystem('flux-system'),
        { spec: { url: sshd.url('fleet'), secretRef: { name: 'flux-system-ssh' } } },
        { type: 'merge' },
      );
      await until(
        'GitRepository Ready over SSH',
        async () => {
          const src = await e.client.get<Flux>(gvk.git, fluxSystem('flux-system'));
          return src.status?.observedGeneration === src.metadata.generation && ready(src)?.status === 'True';
        },
        30_000,
      );
      e.git.resetCounts();

      const t0 = performance.now();
      await pushTags('20210611000000');
      await requestReconcile(gvk.repo, 'account');
      const commit = await followTag('20210611000000', afterHttp, t0, 'later tag (SSH)');
      await expectAutomationCommit(commit, afterHttp, '20210611000000');
      // cloned, pushed and fetched over SSH only
      expect(e.git.counts()).toMatchObject({ infoRefs: 0, uploadPack: 0, receivePack: 0 });
    },
  );
});
