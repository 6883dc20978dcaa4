// ImageRepository and ImagePolicy against Debian's docker-registry in four setups (plain HTTP with paged tag lists,
// htpasswd basic auth, TLS with a test CA, token auth through the token server), with tags the tests push; the
// policies' picks, exclusionList, digest reflection, the event on a new latest image, accessFrom, a restart that
// reads the stored tags, and the seeds' v1alpha1 objects.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startHttpProxy, startRegistry, tlsCertificate } from '@flux-ts/testbed';
import type { Registry, TlsMaterial } from '@flux-ts/testbed';
import type { KubeObject } from '@flux-ts/runtime';
import { kstatusViolations, startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import type { RegistryClientOptions } from '@flux-ts/oci';
import { policyGVK, pushTags, readyIs, repoGVK, startController, waitFor } from './harness.spec-helper.ts';
import type { Obj } from './harness.spec-helper.ts';
import { imageRepositoryReadyCondition } from './imagerepository/conditions.ts';

const USER = 'flux';
const PASSWORD = 'reg-Pa55-word';
const SIG = `sha256-${'ab'.repeat(32)}.sig`;
const SEMVER_TAGS = ['1.0.0', '1.0.1', '1.1.0', '1.2.0', '1.2.1', '1.2.9', '1.2.10', '1.3.0-rc.1'];
const MAIN_TAGS = ['main-0a1b2c3-1700000000', 'main-4d5e6f7-1700000600', 'main-89abcde-1700000300'];
const TAGS = [...SEMVER_TAGS, ...MAIN_TAGS, 'latest', SIG];
/** The first ten tags in descending byte order, without the .sig tag (upstream's latestTags). */
const LATEST_TAGS = [
  'main-89abcde-1700000300',
  'main-4d5e6f7-1700000600',
  'main-0a1b2c3-1700000000',
  'latest',
  '1.3.0-rc.1',
  '1.2.9',
  '1.2.10',
  '1.2.1',
  '1.2.0',
  '1.1.0',
];

let env: TestEnv;
let root: string;
let tls: TlsMaterial;
const regs: Record<string, Registry> = {};
let stopController: () => Promise<void> = async () => undefined;
const digests: Record<string, string> = {};

function dockerConfig(host: string): Record<string, string> {
  const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  return { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [host]: { auth } } })).toString('base64') };
}

async function secret(ns: string, name: string, data: Record<string, string>, type = 'Opaque'): Promise<void> {
  await env.client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    type,
    data,
  } as KubeObject);
}

async function create(gvk: { apiVersion: string; kind: string }, ns: string, name: string, spec: object, extra = {}) {
  await env.client.create({ ...gvk, metadata: { name, namespace: ns, ...extra }, spec } as KubeObject);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'irc-registries-'));
  tls = await tlsCertificate();
  const auth = { username: USER, password: PASSWORD };
  [env, regs['plain'], regs['basic'], regs['tls'], regs['token']] = await Promise.all([
    startTestEnv({ namespaces: ['apps', 'team', 'flux-system'], dirPrefix: 'irc-registries-env-' }),
    startRegistry({ dir: join(root, 'plain'), tagsPageSize: 4 }),
    startRegistry({ dir: join(root, 'basic'), auth }),
    startRegistry({ dir: join(root, 'tls'), tls, auth }),
    startRegistry({ dir: join(root, 'token'), token: true, auth }),
  ]);
  const clientOpts: Record<string, RegistryClientOptions> = {
    plain: { insecure: true },
    basic: { insecure: true, credentials: auth },
    tls: { tls: { ca: Buffer.from(tls.ca) }, credentials: auth },
    token: { insecure: true, credentials: auth },
  };
  for (const [name, reg] of Object.entries(regs))
    digests[name] = await pushTags(reg.host, 'flux/app', TAGS, clientOpts[name]!);
  await pushTags(regs['basic']!.host, 'shop/account', ['20210608052721', '20210609000000'], clientOpts['basic']!);
  stopController = startController(env, { storagePath: join(root, 'storage') }).stop;
}, 120_000);

afterAll(async () => {
  await stopController();
  await Promise.all(Object.values(regs).map((r) => r.close()));
  await env?.close();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

describe.each(['plain', 'basic', 'tls', 'token'])(
  'ImageRepository and ImagePolicy on docker-registry (%s)',
  (setup) => {
    it('scans the tags and the policies pick what Flux picks', { timeout: 90_000 }, async () => {
      const reg = regs[setup]!;
      const name = `app-${setup}`;
      const spec: Record<string, unknown> = { image: `${reg.host}/flux/app`, interval: '1h' };
      if (setup !== 'tls') spec['insecure'] = true;
      if (setup !== 'plain') {
        await secret('apps', `${name}-auth`, dockerConfig(reg.host), 'kubernetes.io/dockerconfigjson');
        spec['secretRef'] = { name: `${name}-auth` };
      }
      if (setup === 'tls') {
        await secret('apps', `${name}-ca`, { 'ca.crt': Buffer.from(tls.ca).toString('base64') });
        spec['certSecretRef'] = { name: `${name}-ca` };
      }
      reg.resetCounts();
      await create(repoGVK, 'apps', name, spec);
      await create(policyGVK, 'apps', `${name}-semver`, {
        imageRepositoryRef: { name },
        policy: { semver: { range: '>=1.0.0' } },
        digestReflectionPolicy: 'IfNotPresent',
      });
      await create(policyGVK, 'apps', `${name}-main`, {
        imageRepositoryRef: { name },
        filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)', extract: '$ts' },
        policy: { numerical: { order: 'asc' } },
      });

      const ready = await waitFor(env, repoGVK, 'apps', name, 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
      const scan = ready.status!.lastScanResult!;
      expect(scan.tagCount).toBe(TAGS.length - 1);
      expect(scan.latestTags).toEqual(LATEST_TAGS);
      expect(scan.revision).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(ready.status!.canonicalImageName).toBe(`${reg.host}/flux/app`);
      expect(ready.status!.observedExclusionList).toEqual(['^.*\\.sig$']);
      expect(readyIs('True', 'Succeeded')(ready)!.message).toBe(
        `successful scan: found ${TAGS.length - 1} tags with checksum ${scan.revision}`,
      );
      expect(kstatusViolations(ready, { negativePolarity: imageRepositoryReadyCondition.negativePolarity })).toEqual(
        [],
      );
      if (setup === 'plain') expect(reg.counts()['GET tags']).toBeGreaterThanOrEqual(4); // 12 tags, 4 a page

      const semver = await waitFor(env, policyGVK, 'apps', `${name}-semver`, 'Ready', (o) =>
        readyIs('True')(o) ? o : undefined,
      );
      expect(semver.status!.latestRef).toEqual({ name: `${reg.host}/flux/app`, tag: '1.2.10', digest: digests[setup] });
      expect(readyIs('True')(semver)!.message).toBe(
        `Latest image tag for ${reg.host}/flux/app resolved to 1.2.10 with digest ${digests[setup]}`,
      );
      const main = await waitFor(env, policyGVK, 'apps', `${name}-main`, 'Ready', (o) =>
        readyIs('True')(o) ? o : undefined,
      );
      expect(main.status!.latestRef).toEqual({ name: `${reg.host}/flux/app`, tag: 'main-4d5e6f7-1700000600' });
    });
  },
);

describe('policies and repository settings (plain registry)', () => {
  const image = (): string => `${regs['plain']!.host}/flux/app`;

  it('applies exclusionList and alphabetical/semver variants', { timeout: 90_000 }, async () => {
    await create(repoGVK, 'apps', 'excl', {
      image: image(),
      interval: '1h',
      insecure: true,
      exclusionList: ['^main-', '^latest$'],
    });
    const repo = await waitFor(env, repoGVK, 'apps', 'excl', 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
    expect(repo.status!.lastScanResult!.tagCount).toBe(SEMVER_TAGS.length + 1);
    expect(repo.status!.lastScanResult!.latestTags![0]).toBe(SIG);
    expect(repo.status!.observedExclusionList).toEqual(['^main-', '^latest$']);
    const cases: [string, object, string][] = [
      ['alpha-asc', { alphabetical: { order: 'asc' } }, SIG],
      ['alpha-desc', { alphabetical: { order: 'desc' } }, '1.0.0'],
      ['semver-tilde', { semver: { range: '~1.1' } }, '1.1.0'],
      ['semver-pre', { semver: { range: '>=1.0.0-0' } }, '1.3.0-rc.1'],
    ];
    for (const [name, policy] of cases)
      await create(policyGVK, 'apps', name, { imageRepositoryRef: { name: 'excl' }, policy });
    for (const [name, , tag] of cases) {
      const p = await waitFor(env, policyGVK, 'apps', name, 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
      expect(p.status!.latestRef?.tag, JSON.stringify(p.status)).toBe(tag);
    }
  });

  it('stalls on a semver range that does not parse', { timeout: 60_000 }, async () => {
    await create(policyGVK, 'apps', 'bad-range', {
      imageRepositoryRef: { name: 'app-plain' },
      policy: { semver: { range: '>=1.0.0 <<2' } },
    });
    const c = await waitFor(env, policyGVK, 'apps', 'bad-range', 'stalled', readyIs('False', 'InvalidPolicy'));
    expect(c.message).toMatch(/^invalid policy: (improper constraint: >=1\.0\.0 <<2|constraint Parser Error)$/);
    const o = await env.client.get<Obj>(policyGVK, { namespace: 'apps', name: 'bad-range' });
    expect(o.status!.conditions!.find((x) => x.type === 'Stalled')?.reason).toBe('InvalidPolicy');
  });

  it('waits for a missing repository: DependencyNotReady', { timeout: 60_000 }, async () => {
    await create(policyGVK, 'apps', 'no-repo', {
      imageRepositoryRef: { name: 'absent' },
      policy: { semver: { range: '*' } },
    });
    const c = await waitFor(
      env,
      policyGVK,
      'apps',
      'no-repo',
      'DependencyNotReady',
      readyIs('False', 'DependencyNotReady'),
    );
    expect(c.message).toMatch(
      /^failed to get the referred ImageRepository: referenced ImageRepository does not exist: /,
    );
  });

  it('reflects the digest Always and records a new latest image with an event', { timeout: 90_000 }, async () => {
    const host = regs['plain']!.host;
    await create(repoGVK, 'apps', 'moving', { image: `${host}/flux/moving`, interval: '1h', insecure: true });
    const first = await pushTags(host, 'flux/moving', ['1.0.0'], { insecure: true });
    await create(policyGVK, 'apps', 'moving', {
      imageRepositoryRef: { name: 'moving' },
      policy: { semver: { range: '1.x' } },
      digestReflectionPolicy: 'Always',
      interval: '1h',
    });
    await waitFor(env, policyGVK, 'apps', 'moving', '1.0.0', (o) =>
      o.status?.latestRef?.tag === '1.0.0' && o.status.latestRef.digest === first ? o : undefined,
    );
    await pushTags(host, 'flux/moving', ['1.1.0'], { insecure: true });
    await env.client.patch(
      repoGVK,
      { namespace: 'apps', name: 'moving' },
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'now-1' } } },
      { type: 'merge' },
    );
    const moved = await waitFor(env, policyGVK, 'apps', 'moving', '1.1.0', (o) =>
      o.status?.latestRef?.tag === '1.1.0' ? o : undefined,
    );
    expect(moved.status!.observedPreviousRef).toEqual({ name: `${host}/flux/moving`, tag: '1.0.0', digest: first });
    const message = `Latest image tag for ${host}/flux/moving resolved to 1.1.0 with digest ${moved.status!.latestRef!.digest} (previously ${host}/flux/moving:1.0.0@${first})`;
    const event = await waitForEvent(message);
    expect(event.reason).toBe('Succeeded');
    expect(event.type).toBe('Normal');
  });

  it('allows a cross-namespace reference only through accessFrom', { timeout: 60_000 }, async () => {
    await env.client.patch(
      { apiVersion: 'v1', kind: 'Namespace' },
      { name: 'team' },
      { metadata: { labels: { team: 'a' } } },
      { type: 'merge' },
    );
    await create(repoGVK, 'apps', 'shared', {
      image: image(),
      interval: '1h',
      insecure: true,
      accessFrom: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
    });
    await create(policyGVK, 'team', 'denied', {
      imageRepositoryRef: { name: 'app-plain', namespace: 'apps' },
      policy: { semver: { range: '*' } },
    });
    await create(policyGVK, 'team', 'allowed', {
      imageRepositoryRef: { name: 'shared', namespace: 'apps' },
      policy: { semver: { range: '*' } },
    });
    const denied = await waitFor(env, policyGVK, 'team', 'denied', 'AccessDenied', readyIs('False', 'AccessDenied'));
    expect(denied.message).toBe(
      "failed to get the referred ImageRepository: access denied: 'apps/app-plain' can't be accessed due to missing ACL labels on 'accessFrom'",
    );
    const allowed = await waitFor(env, policyGVK, 'team', 'allowed', 'Ready', (o) =>
      readyIs('True')(o) ? o : undefined,
    );
    expect(allowed.status!.latestRef?.tag).toBe('1.2.10');
  });

  it("authenticates with the ServiceAccount's imagePullSecrets", { timeout: 60_000 }, async () => {
    const host = regs['basic']!.host;
    await secret('apps', 'sa-pull', dockerConfig(host), 'kubernetes.io/dockerconfigjson');
    await env.client.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'puller', namespace: 'apps' },
      imagePullSecrets: [{ name: 'sa-pull' }],
    } as KubeObject);
    await create(repoGVK, 'apps', 'via-sa', {
      image: `${host}/flux/app`,
      interval: '1h',
      insecure: true,
      serviceAccountName: 'puller',
    });
    const r = await waitFor(env, repoGVK, 'apps', 'via-sa', 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
    expect(r.status!.lastScanResult!.tagCount).toBe(TAGS.length - 1);
  });

  it('scans through the proxy of proxySecretRef', { timeout: 60_000 }, async () => {
    const proxy = await startHttpProxy({ credentials: { username: 'p', password: 'proxy-Pa55' } });
    try {
      const b64 = (v: string): string => Buffer.from(v).toString('base64');
      await secret('apps', 'proxy', { address: b64(proxy.url), username: b64('p'), password: b64('proxy-Pa55') });
      await create(repoGVK, 'apps', 'via-proxy', {
        image: image(),
        interval: '1h',
        insecure: true,
        proxySecretRef: { name: 'proxy' },
      });
      const r = await waitFor(env, repoGVK, 'apps', 'via-proxy', 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
      expect(r.status!.lastScanResult!.tagCount).toBe(TAGS.length - 1);
      expect(proxy.counts().forwarded).toBeGreaterThanOrEqual(3); // the tag list pages
    } finally {
      await proxy.close();
    }
  });

  it('reconciles the seeds v1alpha1 ImageRepository and ImagePolicy', { timeout: 60_000 }, async () => {
    const host = regs['basic']!.host;
    await secret('flux-system', 'ecr-credentials', dockerConfig(host), 'kubernetes.io/dockerconfigjson');
    const docs = splitYaml(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'seeds-v1alpha1.yaml'), 'utf8'));
    for (const d of docs) {
      const o = parseYaml(d) as Obj;
      if (o.kind === 'ImageRepository') {
        o.spec['image'] = `${host}/shop/account`;
        o.spec['insecure'] = true;
      }
      await env.client.create(o);
    }
    const p = await waitFor(env, policyGVK, 'flux-system', 'account', 'Ready', (o) =>
      readyIs('True')(o) ? o : undefined,
    );
    expect(p.status!.latestRef).toEqual({ name: `${host}/shop/account`, tag: '20210609000000' });
  });

  it('reads the stored tags after a restart instead of rescanning', { timeout: 60_000 }, async () => {
    await stopController();
    const reg = regs['plain']!;
    reg.resetCounts();
    stopController = startController(env, { storagePath: join(root, 'storage') }).stop;
    await create(policyGVK, 'apps', 'after-restart', {
      imageRepositoryRef: { name: 'app-plain' },
      policy: { semver: { range: '1.2.x' } },
    });
    const p = await waitFor(env, policyGVK, 'apps', 'after-restart', 'Ready', (o) =>
      readyIs('True')(o) ? o : undefined,
    );
    expect(p.status!.latestRef?.tag).toBe('1.2.10');
    expect(reg.counts()['GET tags']).toBeUndefined();
  });
});

async function waitForEvent(message: string): Promise<{ reason: string; type: string }> {
  return until(`event ${message}`, async () => {
    const list = await env.client.list<KubeObject & { message?: string; reason: string; type: string }>(
      { apiVersion: 'v1', kind: 'Event' },
      { namespace: 'apps' },
    );
    return list.items.find((e) => e.message === message);
  });
}

function splitYaml(text: string): string[] {
  return text.split(/^---$/m).filter((d) => d.replace(/^#.*$/gm, '').trim() !== '');
}
