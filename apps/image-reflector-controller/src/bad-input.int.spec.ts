// Refusals with their exact conditions (an image that does not parse, registries answering 401, 404, 500 or
// garbage), 100,000 tags from a fake loopback registry (time and memory printed), and provider aws against a
// loopback ECR endpoint (the SDK's JSON protocol): a token used by the scan, refreshed when it expires, and a
// denied call reported with the AWS error code and no credentials.
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry } from '@flux-ts/testbed';
import type { Registry } from '@flux-ts/testbed';
import type { KubeObject } from '@flux-ts/runtime';
import { startTestEnv } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { policyGVK, pushTags, readyIs, repoGVK, startController, startHttp, waitFor } from './harness.spec-helper.ts';
import type { Obj } from './harness.spec-helper.ts';
import type { ImageReflectorController } from './controller.ts';

const BIG = 100_000;
const PAGE = 5_000;
const ECR_PASSWORD = 'ecr-Token-Pa55';
const AWS_SECRET = 'aws-secret-key-DO-NOT-LEAK';

let env: TestEnv;
let root: string;
let fake: Awaited<ReturnType<typeof startHttp>>;
let ecrEndpoint: Awaited<ReturnType<typeof startHttp>>;
let ecrRegistry: Registry;
let controller: ImageReflectorController;
let stop: () => Promise<void> = async () => undefined;
const ecrCalls: string[] = [];

/** The fake registry: `/v2/err500`, `/v2/garbage`, `/v2/big` (paged with Link, `?last=`). */
function fakeRegistry(req: { url?: string }, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/v2/err500/tags/list') {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('boom');
  } else if (url.pathname === '/v2/garbage/tags/list') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('<html>not a tag list</html>');
  } else if (url.pathname === '/v2/big/tags/list') {
    const from = Number(url.searchParams.get('last') ?? '0');
    const tags: string[] = [];
    for (let i = from; i < Math.min(from + PAGE, BIG); i++) tags.push(`v1.${Math.floor(i / 1000)}.${i % 1000}`);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (from + PAGE < BIG) headers['Link'] = `</v2/big/tags/list?n=${PAGE}&last=${from + PAGE}>; rel="next"`;
    res.writeHead(200, headers);
    res.end(JSON.stringify({ name: 'big', tags }));
  } else {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'irc-bad-'));
  [env, fake, ecrRegistry] = await Promise.all([
    startTestEnv({ namespaces: ['apps'], dirPrefix: 'irc-bad-env-' }),
    startHttp(fakeRegistry),
    startRegistry({ dir: join(root, 'ecr'), auth: { username: 'AWS', password: ECR_PASSWORD } }),
  ]);
  // The ECR JSON protocol (awsJson1_1): the region of the SigV4 scope decides the answer.
  ecrEndpoint = await startHttp((req, res) => {
    req.resume();
    req.on('end', () => {
      const auth = req.headers.authorization ?? '';
      ecrCalls.push(auth.includes('/eu-west-1/') ? 'eu-west-1' : 'us-east-1');
      res.setHeader('Content-Type', 'application/x-amz-json-1.1');
      if (auth.includes('/eu-west-1/')) {
        res.statusCode = 400;
        res.end(
          JSON.stringify({
            __type: 'AccessDeniedException',
            message: 'User: arn:aws:iam::210987654321:user/ci is not authorized to perform: ecr:GetAuthorizationToken',
          }),
        );
        return;
      }
      // a token that expires within the refresh margin: every scan fetches a new one
      res.end(
        JSON.stringify({
          authorizationData: [
            {
              authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64'),
              expiresAt: Date.now() / 1000 + 60,
              proxyEndpoint: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com',
            },
          ],
        }),
      );
    });
  });
  await pushTags(ecrRegistry.host, 'team/app', ['1.0.0', '1.1.0'], {
    insecure: true,
    credentials: { username: 'AWS', password: ECR_PASSWORD },
  });
  const started = startController(env, {
    storagePath: join(root, 'storage'),
    ecrClientConfig: {
      endpoint: `http://${ecrEndpoint.host}`,
      credentials: { accessKeyId: 'AKIDFLUXTS', secretAccessKey: AWS_SECRET },
      maxAttempts: 1,
    },
  });
  controller = started.controller;
  stop = started.stop;
}, 120_000);

afterAll(async () => {
  await stop();
  await Promise.all([fake?.close(), ecrEndpoint?.close(), ecrRegistry?.close()]);
  await env?.close();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

async function repo(name: string, spec: Record<string, unknown>): Promise<void> {
  await env.client.create({
    ...repoGVK,
    metadata: { name, namespace: 'apps' },
    spec: { interval: '1h', ...spec },
  } as KubeObject);
}

describe('ImageRepository refusals', () => {
  it.each([
    [
      'bad-name',
      'registry.local/Flux/App',
      /^could not parse reference: registry\.local\/Flux\/App: repository can only contain/,
    ],
    [
      'with-tag',
      'registry.local/flux/app:1.0.0',
      /^image 'registry\.local\/flux\/app:1\.0\.0' should not include a tag; remove ':1\.0\.0'$/,
    ],
    [
      'with-scheme',
      'https://registry.local/flux/app',
      /^image 'https:\/\/registry\.local\/flux\/app' should not include URL scheme; remove 'https:\/\/'$/,
    ],
  ])('stalls on an image that does not parse (%s)', { timeout: 60_000 }, async (name, image, message) => {
    await repo(name, { image });
    const c = await waitFor(env, repoGVK, 'apps', name, 'stalled', readyIs('False', 'ImageURLInvalid'));
    expect(c.message).toMatch(message);
    const o = await env.client.get<Obj>(repoGVK, { namespace: 'apps', name });
    expect(o.status?.conditions?.find((x) => x.type === 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'ImageURLInvalid',
    });
  });

  it.each([
    [
      'unauthorized',
      () => `${ecrRegistry.host}/team/app`,
      /^scan failed: GET http:\/\/127\.0\.0\.1:\d+\/v2\/team\/app\/tags\/list: UNAUTHORIZED: authentication required \(401 Unauthorized\)$/,
    ],
    [
      'not-found',
      () => `${fake.host}/nothing/here`,
      /^scan failed: GET http:\/\/127\.0\.0\.1:\d+\/v2\/nothing\/here\/tags\/list: NAME_UNKNOWN: repository name not known to registry \(404 Not Found\)$/,
    ],
    [
      'server-error',
      () => `${fake.host}/err500`,
      /^scan failed: GET http:\/\/127\.0\.0\.1:\d+\/v2\/err500\/tags\/list: unexpected status code 500 Internal Server Error$/,
    ],
    [
      'garbage',
      () => `${fake.host}/garbage`,
      /^scan failed: GET http:\/\/127\.0\.0\.1:\d+\/v2\/garbage\/tags\/list: invalid tag list: not JSON$/,
    ],
  ])('reports a registry answering %s', { timeout: 60_000 }, async (name, image, message) => {
    await repo(name, { image: image(), insecure: true });
    const c = await waitFor(env, repoGVK, 'apps', name, 'ReadOperationFailed', readyIs('False', 'ReadOperationFailed'));
    expect(c.message).toMatch(message);
    const o = await env.client.get<Obj>(repoGVK, { namespace: 'apps', name });
    expect(o.status?.conditions?.find((x) => x.type === 'Reconciling')?.reason).toBe('ProgressingWithRetry');
  });

  it('reports a missing secret as AuthenticationFailed', { timeout: 60_000 }, async () => {
    await repo('no-secret', { image: `${fake.host}/x/y`, insecure: true, secretRef: { name: 'absent' } });
    const c = await waitFor(
      env,
      repoGVK,
      'apps',
      'no-secret',
      'AuthenticationFailed',
      readyIs('False', 'AuthenticationFailed'),
    );
    expect(c.message).toMatch(/^failed to configure authentication options: .*absent.*not found/);
  });

  it('says precisely that azure and gcp are not supported by this build', { timeout: 60_000 }, async () => {
    await repo('azure', { image: 'myreg.azurecr.io/app', provider: 'azure' });
    const c = await waitFor(
      env,
      repoGVK,
      'apps',
      'azure',
      'AuthenticationFailed',
      readyIs('False', 'AuthenticationFailed'),
    );
    expect(c.message).toBe(
      "failed to configure authentication options: provider 'azure' is not supported by this build: use 'generic' with spec.secretRef, or 'aws'",
    );
  });
});

describe('100,000 tags', () => {
  it('scans, stores and selects (time and memory printed)', { timeout: 180_000 }, async () => {
    const before = process.memoryUsage();
    const t0 = performance.now();
    await repo('big', { image: `${fake.host}/big`, insecure: true });
    const r = await waitFor(env, repoGVK, 'apps', 'big', 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
    const scanned = performance.now();
    expect(r.status!.lastScanResult!.tagCount).toBe(BIG);
    expect(r.status!.lastScanResult!.latestTags).toHaveLength(10);
    await env.client.create({
      ...policyGVK,
      metadata: { name: 'big', namespace: 'apps' },
      spec: { imageRepositoryRef: { name: 'big' }, policy: { semver: { range: '>=1.0.0' } } },
    } as KubeObject);
    const p = await waitFor(env, policyGVK, 'apps', 'big', 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
    const selected = performance.now();
    expect(p.status!.latestRef?.tag).toBe('v1.99.999');
    const after = process.memoryUsage();
    const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    process.stdout.write(
      `100,000 tags: scan+store ${((scanned - t0) / 1000).toFixed(2)} s, policy ${((selected - scanned) / 1000).toFixed(2)} s; ` +
        `rss ${mib(before.rss)} -> ${mib(after.rss)}, heapUsed ${mib(before.heapUsed)} -> ${mib(after.heapUsed)}\n`,
    );
  });
});

describe('provider aws (loopback ECR endpoint)', () => {
  const ecrImage = (): string =>
    `123456789012.dkr.ecr.us-east-1.amazonaws.com:${ecrRegistry.host.split(':')[1]}/team/app`;

  it('scans with the ECR token and fetches a new one once it expires', { timeout: 60_000 }, async () => {
    const calls = ecrCalls.length;
    await repo('ecr', { image: ecrImage(), insecure: true, provider: 'aws' });
    await env.client.create({
      ...policyGVK,
      metadata: { name: 'ecr', namespace: 'apps' },
      spec: { imageRepositoryRef: { name: 'ecr' }, policy: { semver: { range: '1.x' } } },
    } as KubeObject);
    const r = await waitFor(env, repoGVK, 'apps', 'ecr', 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
    expect(r.status!.lastScanResult!.tagCount).toBe(2);
    expect(r.status!.canonicalImageName).toBe(ecrImage());
    const p = await waitFor(env, policyGVK, 'apps', 'ecr', 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
    expect(p.status!.latestRef?.tag).toBe('1.1.0');
    expect(ecrCalls.length - calls).toBe(1);
    const fetches = controller.ecr.fetches;
    await env.client.patch(
      repoGVK,
      { namespace: 'apps', name: 'ecr' },
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'rescan-1' } } },
      { type: 'merge' },
    );
    await waitFor(env, repoGVK, 'apps', 'ecr', 'rescanned', (o) =>
      o.status?.lastHandledReconcileAt === 'rescan-1' && readyIs('True')(o) ? o : undefined,
    );
    expect(controller.ecr.fetches).toBe(fetches + 1);
  });

  it(
    'reports a denied GetAuthorizationToken with the AWS error code and no credentials',
    { timeout: 60_000 },
    async () => {
      await repo('ecr-denied', {
        image: '210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/app',
        provider: 'aws',
      });
      const c = await waitFor(
        env,
        repoGVK,
        'apps',
        'ecr-denied',
        'AuthenticationFailed',
        readyIs('False', 'AuthenticationFailed'),
      );
      expect(c.message).toBe(
        'failed to configure authentication options: failed to get ECR authorization token for 210987654321.dkr.ecr.eu-west-1.amazonaws.com: AccessDeniedException: User: arn:aws:iam::210987654321:user/ci is not authorized to perform: ecr:GetAuthorizationToken',
      );
      expect(c.message).not.toContain(AWS_SECRET);
      expect(c.message).not.toContain('AKIDFLUXTS');
    },
  );
});
