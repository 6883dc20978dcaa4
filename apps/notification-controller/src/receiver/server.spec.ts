// The receiver server through inject(): Flux's status codes, each receiver type's check over the raw body (valid,
// forged and missing credentials), event filters, resources by name and labels, the CEL filters and cross-namespace
// refusals. Every refusal asserts that nothing was annotated.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, SignJWT } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import { FakeCluster, gitRepository, readyReceiver, secret, sign, testServer, testToken } from './fakes.spec-helper.ts';
import type { ReceiverObject } from './reconciler.ts';
import { newOIDCDiscovery } from './tokens.ts';

const annotation = {
  metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-01-02 03:04:05.678 +0000 UTC' } },
};

function cluster(): FakeCluster {
  return new FakeCluster().add(secret('default', 'webhook-token'), gitRepository('default', 'webapp'));
}

async function post(
  receivers: ReceiverObject[],
  c: FakeCluster,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  extra: Parameters<typeof testServer>[2] = {},
): Promise<{ status: number; lines: string[] }> {
  const { app, lines } = testServer(c, receivers, extra);
  const res = await app.inject({ method: 'POST', url: path, payload: body, headers });
  await app.close();
  return { status: res.statusCode, lines };
}

const json = { 'content-type': 'application/json' };

describe('receiver server: lookup and state', () => {
  it('answers 404 for an unknown path and annotates nothing', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'generic' });
    const res = await post([r], c, '/hook/0000', '{}', json);
    expect(res.status).toBe(404);
    expect(c.patches).toEqual([]);
  });

  it('answers 503 for a suspended Receiver and for one that is not Ready', async () => {
    const c = cluster();
    const suspended = readyReceiver('s', { type: 'generic', suspend: true });
    const notReady = readyReceiver('n', { type: 'generic' }, { ready: false });
    const a = await post([suspended], c, suspended.status!.webhookPath!, '{}', json);
    const b = await post([notReady], c, notReady.status!.webhookPath!, '{}', json);
    expect([a.status, b.status]).toEqual([503, 503]);
    expect(a.lines.join('')).toContain('receiver is suspended');
    expect(b.lines.join('')).toContain('receiver is not ready');
    expect(c.patches).toEqual([]);
  });

  it('answers 413 above 3 MiB and 200 at the limit', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'generic' });
    const big = await post([r], c, r.status!.webhookPath!, Buffer.alloc(3 * 1024 * 1024 + 1, 0x20), json);
    expect(big.status).toBe(413);
    expect(c.patches).toEqual([]);
    const limit = await post([r], c, r.status!.webhookPath!, Buffer.alloc(3 * 1024 * 1024, 0x20), {
      'content-type': 'text/plain',
    });
    expect(limit.status).toBe(200);
  });

  it('serves only POST', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'generic' });
    const { app } = testServer(c, [r]);
    const res = await app.inject({ method: 'GET', url: r.status!.webhookPath! });
    await app.close();
    expect(res.statusCode).toBe(404);
    expect(c.patches).toEqual([]);
  });

  it('answers 400 when the Secret or its token is missing', async () => {
    const noSecret = new FakeCluster().add(gitRepository('default', 'webapp'));
    const r = readyReceiver('r', { type: 'generic' });
    expect((await post([r], noSecret, r.status!.webhookPath!, '{}', json)).status).toBe(400);
    const noToken = new FakeCluster().add(
      secret('default', 'webhook-token', { other: 'x' }),
      gitRepository('default', 'webapp'),
    );
    const res = await post([r], noToken, r.status!.webhookPath!, '{}', json);
    expect(res.status).toBe(400);
    expect(res.lines.join('')).toContain(`invalid \\"default/webhook-token\\" secret data: required field 'token'`);
    expect([...noSecret.patches, ...noToken.patches]).toEqual([]);
  });
});

describe('receiver server: generic and generic-hmac', () => {
  it('generic annotates with a merge patch of reconcile.fluxcd.io/requestedAt', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'generic' });
    const res = await post([r], c, r.status!.webhookPath!, '', {});
    expect(res.status).toBe(200);
    expect(c.patches).toEqual([
      {
        gvk: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
        key: { namespace: 'default', name: 'webapp' },
        patch: annotation,
        type: 'merge',
      },
    ]);
    expect(res.lines.join('')).toContain("resource 'GitRepository/webapp.default' annotated");
  });

  it.each(['sha1', 'sha256', 'sha512'] as const)('generic-hmac accepts an X-Signature of %s', async (algo) => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'generic-hmac' });
    const body = '{"hello":"world"}';
    const res = await post([r], c, r.status!.webhookPath!, body, { ...json, 'x-signature': sign(body, algo) });
    expect(res.status).toBe(200);
    expect(c.annotated()).toEqual(['GitRepository/default/webapp']);
  });

  it.each([
    ['missing', undefined, 'missing signature'],
    ['forged', sign('{"other":1}'), 'payload signature check failed'],
    ['wrong key', sign('{"hello":"world"}', 'sha256', 'not-the-token'), 'payload signature check failed'],
    ['unknown prefix', 'md5=abcd', 'unknown hash type prefix: \\"md5\\"'],
    ['no prefix', 'abcdef', 'error parsing signature'],
    ['bad hex', 'sha256=zz', 'error decoding signature'],
  ])('generic-hmac refuses a %s signature with 400', async (_name, sig, message) => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'generic-hmac' });
    const res = await post([r], c, r.status!.webhookPath!, '{"hello":"world"}', {
      ...json,
      ...(sig ? { 'x-signature': sig } : {}),
    });
    expect(res.status).toBe(400);
    expect(res.lines.join('')).toContain(`unable to validate HMAC signature: ${message}`);
    expect(c.patches).toEqual([]);
  });
});

describe('receiver server: github and bitbucket', () => {
  const push = JSON.stringify({ ref: 'refs/heads/main', after: 'abc' });

  it('github accepts X-Hub-Signature-256 and X-Hub-Signature and filters X-GitHub-Event', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'github', events: ['ping', 'push'] });
    const path = r.status!.webhookPath!;
    const a = await post([r], c, path, push, { ...json, 'x-hub-signature-256': sign(push), 'x-github-event': 'push' });
    const b = await post([r], c, path, push, {
      ...json,
      'x-hub-signature': sign(push, 'sha1'),
      'x-github-event': 'Push',
    });
    const ping = await post([r], c, path, '{"zen":"x"}', {
      ...json,
      'x-hub-signature-256': sign('{"zen":"x"}'),
      'x-github-event': 'ping',
    });
    expect([a.status, b.status, ping.status]).toEqual([200, 200, 200]);
    expect(a.lines.join('')).toContain('handling GitHub event: push');
    expect(c.patches).toHaveLength(3);
  });

  it('github refuses an event outside spec.events', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'github', events: ['push'] });
    const res = await post([r], c, r.status!.webhookPath!, push, {
      ...json,
      'x-hub-signature-256': sign(push),
      'x-github-event': 'issues',
    });
    expect(res.status).toBe(400);
    expect(res.lines.join('')).toContain('the GitHub event \\"issues\\" is not authorised');
    expect(c.patches).toEqual([]);
  });

  it('github reads form-encoded payloads and signs the raw body', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'github', resourceFilter: '!has(req.ref)' });
    const body = `payload=${encodeURIComponent(push)}`;
    const res = await post([r], c, r.status!.webhookPath!, body, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-hub-signature-256': sign(body),
      'x-github-event': 'push',
    });
    expect(res.status).toBe(200);
    // a form body is not JSON content: the filters see an empty `req`
    expect(c.patches).toHaveLength(1);
  });

  it.each([
    ['missing signature', json, 'missing signature'],
    [
      'unsupported content type',
      { 'content-type': 'text/plain', 'x-hub-signature-256': sign(push) },
      'unsupported Content-Type',
    ],
    ['forged signature', { ...json, 'x-hub-signature-256': sign(push + ' ') }, 'payload signature check failed'],
  ])('github refuses a %s with 400', async (_n, headers, message) => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'github' });
    const res = await post([r], c, r.status!.webhookPath!, push, { 'x-github-event': 'push', ...headers });
    expect(res.status).toBe(400);
    expect(res.lines.join('')).toContain('the GitHub signature header is invalid, err: ');
    expect(res.lines.join('')).toContain(message);
    expect(c.patches).toEqual([]);
  });

  it('bitbucket checks X-Hub-Signature and filters X-Event-Key', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'bitbucket', events: ['repo:refs_changed'] });
    const path = r.status!.webhookPath!;
    const ok = await post([r], c, path, push, {
      ...json,
      'x-hub-signature': sign(push),
      'x-event-key': 'repo:refs_changed',
    });
    const other = await post([r], c, path, push, {
      ...json,
      'x-hub-signature': sign(push),
      'x-event-key': 'pr:opened',
    });
    const forged = await post([r], c, path, push, {
      ...json,
      'x-hub-signature': sign('x'),
      'x-event-key': 'repo:refs_changed',
    });
    expect([ok.status, other.status, forged.status]).toEqual([200, 400, 400]);
    expect(forged.lines.join('')).toContain('the Bitbucket server signature header is invalid');
    expect(c.patches).toHaveLength(1);
  });
});

describe('receiver server: token headers and payload types', () => {
  it('gitlab compares X-Gitlab-Token and filters X-Gitlab-Event', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'gitlab', events: ['Push Hook'] });
    const path = r.status!.webhookPath!;
    const ok = await post([r], c, path, '{}', { ...json, 'x-gitlab-token': testToken, 'x-gitlab-event': 'push hook' });
    const wrong = await post([r], c, path, '{}', { ...json, 'x-gitlab-token': 'nope', 'x-gitlab-event': 'Push Hook' });
    const missing = await post([r], c, path, '{}', { ...json, 'x-gitlab-event': 'Push Hook' });
    const event = await post([r], c, path, '{}', {
      ...json,
      'x-gitlab-token': testToken,
      'x-gitlab-event': 'Tag Push Hook',
    });
    expect([ok.status, wrong.status, missing.status, event.status]).toEqual([200, 400, 400, 400]);
    expect(wrong.lines.join('')).toContain('the X-Gitlab-Token header value does not match the receiver token');
    expect(c.patches).toHaveLength(1);
  });

  it('harbor compares the Authorization header', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'harbor' });
    const path = r.status!.webhookPath!;
    const ok = await post([r], c, path, '{}', { ...json, authorization: testToken });
    const wrong = await post([r], c, path, '{}', { ...json, authorization: `Bearer ${testToken}` });
    expect([ok.status, wrong.status]).toEqual([200, 400]);
    expect(wrong.lines.join('')).toContain('the Harbor Authorization header value does not match the receiver token');
    expect(c.patches).toHaveLength(1);
  });

  it.each([
    [
      'dockerhub',
      '{"push_data":{"tag":"v1"},"repository":{"repo_url":"https://hub.docker.com/r/a/b"}}',
      '{"push_data":{"tag":1}}',
      'handling DockerHub event from https://hub.docker.com/r/a/b for tag v1',
    ],
    [
      'quay',
      '{"docker_url":"quay.io/a/b","updated_tags":["v1"]}',
      '{"updated_tags":"v1"}',
      'handling Quay event from quay.io/a/b',
    ],
    [
      'acr',
      '{"action":"push","target":{"repository":"a/b","tag":"v1"}}',
      '[1]',
      'handling ACR event from a/b for tag v1',
    ],
  ] as const)('%s accepts its JSON payload and refuses another', async (type, good, bad, logLine) => {
    const c = cluster();
    const r = readyReceiver('r', { type });
    const path = r.status!.webhookPath!;
    const ok = await post([r], c, path, good, json);
    const refused = await post([r], c, path, bad, json);
    const notJson = await post([r], c, path, '{not json', json);
    expect([ok.status, refused.status, notJson.status]).toEqual([200, 400, 400]);
    expect(ok.lines.join('')).toContain(logLine);
    expect(c.patches).toHaveLength(1);
  });

  it('nexus checks X-Nexus-Webhook-Signature (HMAC-SHA1) then the payload', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'nexus' });
    const path = r.status!.webhookPath!;
    const body = '{"action":"CREATED","repositoryName":"maven"}';
    const sig = sign(body, 'sha1').slice('sha1='.length);
    const ok = await post([r], c, path, body, { ...json, 'x-nexus-webhook-signature': sig });
    const missing = await post([r], c, path, body, json);
    const forged = await post([r], c, path, body, {
      ...json,
      'x-nexus-webhook-signature': sig.replace(/^./, (x) => (x === '0' ? '1' : '0')),
    });
    const notJson = await post([r], c, path, 'x', { ...json, 'x-nexus-webhook-signature': sign('x', 'sha1').slice(5) });
    expect([ok.status, missing.status, forged.status, notJson.status]).toEqual([200, 400, 400, 400]);
    expect(missing.lines.join('')).toContain('the Nexus signature is missing from header');
    expect(forged.lines.join('')).toContain('invalid Nexus signature');
    expect(c.patches).toHaveLength(1);
  });

  it('cdevents validates the envelope and filters Ce-Type', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'cdevents', events: ['dev.cdevents.change.merged.0.1.2'] });
    const path = r.status!.webhookPath!;
    const event = {
      context: {
        version: '0.4.1',
        id: '1',
        source: '/repo',
        type: 'dev.cdevents.change.merged.0.1.2',
        timestamp: '2026-01-01T00:00:00Z',
      },
      subject: { id: 'change-1', source: '/repo', type: 'change', content: { repository: { id: 'r' } } },
    };
    const body = JSON.stringify(event);
    const ok = await post([r], c, path, body, { ...json, 'ce-type': 'dev.cdevents.change.merged.0.1.2' });
    const filtered = await post([r], c, path, body, { ...json, 'ce-type': 'dev.cdevents.change.created.0.1.2' });
    const noTimestamp = JSON.stringify({ ...event, context: { ...event.context, timestamp: 'yesterday' } });
    const badType = JSON.stringify({
      ...event,
      context: { ...event.context, type: 'dev.cdevents.unicorn.flew.0.1.0' },
    });
    const a = await post([r], c, path, noTimestamp, { ...json, 'ce-type': 'dev.cdevents.change.merged.0.1.2' });
    const b = await post([r], c, path, badType, { ...json, 'ce-type': 'dev.cdevents.change.merged.0.1.2' });
    expect([ok.status, filtered.status, a.status, b.status]).toEqual([200, 400, 400, 400]);
    expect(b.lines.join('')).toContain('unable to validate CDEvent event: unknown event type');
    expect(filtered.lines.join('')).toContain('the CDEvent \\"dev.cdevents.change.created.0.1.2\\" is not authorised');
    expect(c.patches).toHaveLength(1);
  });
});

describe('receiver server: resources and filters', () => {
  it('annotates by matchLabels in the Receiver namespace, with the CEL filters over res and req', async () => {
    const c = cluster().add(
      gitRepository('default', 'a', { team: 'x' }),
      gitRepository('default', 'b', { team: 'x' }),
      gitRepository('default', 'c', { team: 'y' }),
      gitRepository('other', 'd', { team: 'x' }),
    );
    const r = readyReceiver('r', {
      type: 'generic',
      resources: [
        { kind: 'GitRepository', name: '*', matchLabels: { team: 'x' } },
        { kind: 'GitRepository', name: 'webapp', filter: "req.branch == 'dev'" } as never,
      ],
      resourceFilter: "res.metadata.name != 'b'",
    });
    const res = await post([r], c, r.status!.webhookPath!, '{"branch":"main"}', json);
    expect(res.status).toBe(200);
    expect(c.annotated()).toEqual(['GitRepository/default/a']);
    expect(res.lines.join('')).toContain(
      "resource 'GitRepository/b.default' NOT annotated because CEL expression returned false",
    );
  });

  it('refuses a wildcard without matchLabels and an unknown kind without apiVersion with 500, annotating the rest', async () => {
    const c = cluster();
    const r = readyReceiver('r', {
      type: 'generic',
      resources: [
        { kind: 'GitRepository', name: '*' },
        { kind: 'Kustomization', name: 'apps' },
        { kind: 'GitRepository', name: 'webapp' },
      ],
    });
    const res = await post([r], c, r.status!.webhookPath!, '', {});
    expect(res.status).toBe(500);
    expect(res.lines.join('')).toContain("matchLabels field not set when using wildcard '*' as name");
    expect(res.lines.join('')).toContain('apiVersion must be specified for kind \\"Kustomization\\"');
    expect(c.annotated()).toEqual(['GitRepository/default/webapp']);
  });

  it('answers 500 when an object is missing or its patch fails', async () => {
    const c = cluster();
    c.failPatchFor.add('webapp');
    const r = readyReceiver('r', {
      type: 'generic',
      resources: [
        { kind: 'GitRepository', name: 'webapp' },
        { kind: 'GitRepository', name: 'gone' },
      ],
    });
    const res = await post([r], c, r.status!.webhookPath!, '', {});
    expect(res.status).toBe(500);
    expect(res.lines.join('')).toContain("failed to annotate resource: 'GitRepository/webapp.default'");
    expect(res.lines.join('')).toContain('unable to read GitRepository \\"default/gone\\"');
    expect(c.patches).toEqual([]);
  });

  it('refuses cross-namespace resources with --no-cross-namespace-refs', async () => {
    const c = cluster().add(gitRepository('other', 'webapp'));
    const r = readyReceiver('r', {
      type: 'generic',
      resources: [{ kind: 'GitRepository', name: 'webapp', namespace: 'other' }],
    });
    const refused = await post([r], c, r.status!.webhookPath!, '', {}, { noCrossNamespaceRefs: true });
    expect(refused.status).toBe(500);
    expect(refused.lines.join('')).toContain('cross-namespace references are not allowed');
    expect(c.patches).toEqual([]);
    const allowed = await post([r], c, r.status!.webhookPath!, '', {});
    expect(allowed.status).toBe(200);
    expect(c.annotated()).toEqual(['GitRepository/other/webapp']);
  });

  it('answers 400 when a filter needs a JSON body that does not parse', async () => {
    const c = cluster();
    const r = readyReceiver('r', { type: 'generic', resourceFilter: "req.a == 'b'" });
    const res = await post([r], c, r.status!.webhookPath!, '{oops', json);
    expect(res.status).toBe(400);
    expect(c.patches).toEqual([]);
  });
});

// Tokens signed by a key the test makes: gcr against an injected JWKS, generic-oidc through real discovery.
describe('receiver server: ID tokens', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwk: JWK;
  let issuer: string;
  const srv = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    else if (req.url === '/keys') res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });

  beforeAll(async () => {
    jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => srv.close(() => r())));

  const token = (claims: JWTPayload, opts: { key?: typeof privateKey; exp?: string | number } = {}): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(opts.key ?? privateKey);

  it('gcr verifies the Google ID token: signature, audience, issuer, email and email_verified', async () => {
    const c = new FakeCluster().add(
      secret('default', 'webhook-token', {
        token: testToken,
        email: 'push@p.iam.gserviceaccount.com',
        audience: 'flux',
      }),
      gitRepository('default', 'webapp'),
    );
    const r = readyReceiver('r', { type: 'gcr', resourceFilter: "req.tag == 'v1'" });
    const gcrKeys = createLocalJWKSet({ keys: [jwk] });
    const data = Buffer.from(JSON.stringify({ action: 'INSERT', digest: 'gcr.io/p/app@sha256:1', tag: 'v1' })).toString(
      'base64',
    );
    const body = JSON.stringify({ message: { data, messageId: '1', subscription: 's' } });
    const good = {
      iss: 'https://accounts.google.com',
      aud: 'flux',
      email: 'push@p.iam.gserviceaccount.com',
      email_verified: true,
    };
    const call = async (bearer: string) =>
      post([r], c, r.status!.webhookPath!, body, { ...json, authorization: bearer }, { gcrKeys });
    const ok = await call(`Bearer ${await token(good)}`);
    expect(ok.status).toBe(200);
    expect(ok.lines.join('')).toContain('handling GCR event from gcr.io/p/app@sha256:1 for tag v1');
    const refusals = await Promise.all([
      call(''),
      call(`Bearer ${await token(good, { key: other.privateKey })}`),
      call(`Bearer ${await token({ ...good, aud: 'someone-else' })}`),
      call(`Bearer ${await token({ ...good, iss: 'https://evil.example.com' })}`),
      call(`Bearer ${await token({ ...good, email: 'x@y.z' })}`),
      call(`Bearer ${await token({ ...good, email_verified: false })}`),
      call(`Bearer ${await token(good, { exp: Math.floor(Date.now() / 1000) - 600 })}`),
    ]);
    expect(refusals.map((x) => x.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
    const log = refusals.map((x) => x.lines.join('')).join('\n');
    expect(log).toContain('the Authorization header is missing or malformed');
    expect(log).toContain("invalid ID token: audience is 'someone-else', want 'flux'");
    expect(log).toContain("token issuer is 'https://evil.example.com'");
    expect(log).toContain("token email is 'x@y.z', want 'push@p.iam.gserviceaccount.com'");
    expect(log).toContain("token email 'push@p.iam.gserviceaccount.com' is not verified");
    expect(c.patches).toHaveLength(1);
  });

  it('generic-oidc discovers the issuer, verifies the token and runs the CEL validations; claims reach the filters', async () => {
    const c = cluster().add(gitRepository('default', 'api'));
    const r = readyReceiver('r', {
      type: 'generic-oidc',
      oidcProviders: [
        {
          issuerURL: issuer,
          audience: 'flux',
          variables: [{ name: 'allowed', expression: "['my-org/my-repo']" }],
          validations: [{ expression: 'claims.repository in vars.allowed', message: 'repo not allowed' }],
        },
      ],
      resources: [
        { kind: 'GitRepository', name: 'webapp', filter: "claims.ref == 'refs/heads/main'" } as never,
        { kind: 'GitRepository', name: 'api', filter: "claims.ref == 'refs/heads/dev'" } as never,
      ],
    });
    const path = r.status!.webhookPath!;
    const oidcDiscovery = newOIDCDiscovery();
    const call = async (bearer: string) => post([r], c, path, '', { authorization: bearer }, { oidcDiscovery });
    const claims = { iss: issuer, aud: 'flux', sub: 'x', repository: 'my-org/my-repo', ref: 'refs/heads/main' };
    const ok = await call(`Bearer ${await token(claims)}`);
    expect(ok.status).toBe(200);
    expect(c.annotated()).toEqual(['GitRepository/default/webapp']);
    const refusals = await Promise.all([
      call('Bearer '),
      call('Bearer not-a-jwt'),
      call(`Bearer ${await token({ ...claims, repository: 'evil/repo' })}`),
      call(`Bearer ${await token({ ...claims, aud: 'notification-controller' })}`),
      call(`Bearer ${await token({ ...claims, iss: 'https://other.example.com' })}`),
      call(`Bearer ${await token(claims, { key: other.privateKey })}`),
      call(`Bearer ${await token(claims, { exp: Math.floor(Date.now() / 1000) - 600 })}`),
    ]);
    expect(refusals.map((x) => x.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
    const log = refusals.map((x) => x.lines.join('')).join('\n');
    expect(log).toContain('token validation failed: repo not allowed');
    expect(log).toContain('no oidcProvider configured for issuer \\"https://other.example.com\\"');
    expect(log).toContain('failed to verify OIDC token: oidc: token is expired');
    expect(c.patches).toHaveLength(1);
  });
});

describe('receiver server: secrets stay out of the logs', () => {
  it('never logs the token, whatever the outcome', async () => {
    const c = cluster();
    const types = ['generic', 'generic-hmac', 'github', 'gitlab', 'harbor', 'bitbucket', 'nexus'] as const;
    const all: string[] = [];
    for (const type of types) {
      const r = readyReceiver('r', { type, events: [] });
      for (const headers of [
        { ...json, 'x-gitlab-token': testToken, authorization: testToken, 'x-signature': sign('{}') },
        { ...json, 'x-gitlab-token': `${testToken}x`, authorization: 'nope', 'x-hub-signature': 'sha1=00' },
      ]) {
        all.push(...(await post([r], c, r.status!.webhookPath!, '{}', headers)).lines);
      }
    }
    expect(all.length).toBeGreaterThan(0);
    expect(all.join('\n')).not.toContain(testToken);
  });
});
