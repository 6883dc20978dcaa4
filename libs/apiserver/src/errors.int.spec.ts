import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from './server.ts';
import { raw } from './testing/harness.ts';
import { getPath } from './util.ts';

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Gadget', plural: 'gadgets' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['url'],
                properties: {
                  url: { type: 'string', pattern: '^https?://' },
                  interval: { type: 'string' },
                  replicas: { type: 'integer', minimum: 0 },
                },
              },
            },
          },
        },
      },
    ],
  },
};

describe('Status bodies and codes for bad input', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer();
    const r = await raw(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(CRD));
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('422 Invalid with field causes for an object that violates the CRD schema', async () => {
    const r = await raw(
      server,
      'POST',
      '/apis/example.com/v1/namespaces/default/gadgets',
      JSON.stringify({
        apiVersion: 'example.com/v1',
        kind: 'Gadget',
        metadata: { name: 'g1' },
        spec: { url: 'ftp://x', replicas: -1 },
      }),
    );
    expect(r.status).toBe(422);
    const body = r.json();
    expect(body).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
      details: { name: 'g1', group: 'example.com', kind: 'Gadget' },
    });
    expect(body['message']).toBe(
      `Gadget.example.com "g1" is invalid: [spec.url: Invalid value: "ftp://x": spec.url in body should match '^https?://', spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0]`,
    );
    expect((body['details'] as { causes: unknown[] }).causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: "ftp://x": spec.url in body should match '^https?://'`,
        field: 'spec.url',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
        field: 'spec.replicas',
      },
    ]);
    const missing = await raw(
      server,
      'POST',
      '/apis/example.com/v1/namespaces/default/gadgets',
      JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: {} }),
    );
    expect(missing.json()['details']).toMatchObject({
      causes: [{ reason: 'FieldValueRequired', field: 'spec.url', message: 'Required value' }],
    });
  });

  it('404 for an unknown kind and for a missing object, with the Kubernetes messages', async () => {
    const unknown = await raw(server, 'GET', '/apis/example.com/v1/namespaces/default/doodads');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
      message: 'the server could not find the requested resource',
    });
    const missing = await raw(server, 'GET', '/apis/apps/v1/namespaces/default/deployments/nope');
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    const noNs = await raw(
      server,
      'POST',
      '/api/v1/namespaces/ghost/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
    );
    expect(noNs.status).toBe(404);
    expect(noNs.json()['message']).toBe('namespaces "ghost" not found');
  });

  it('400 BadRequest for malformed JSON and YAML', async () => {
    const json = await raw(server, 'POST', '/api/v1/namespaces/default/configmaps', '{"apiVersion": "v1", kind');
    expect(json.status).toBe(400);
    expect(json.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
      // transformDecodeError: the kind the URL expects, then summarizeData of the body (JSON objects as text)
      message: `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'k' looking for beginning of object key string ({"apiVersion": "v1", kind)`,
    });
    const yaml = await raw(
      server,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n',
      { 'Content-Type': 'application/yaml' },
    );
    expect(yaml.status).toBe(400);
    expect(yaml.json()).toMatchObject({ reason: 'BadRequest', code: 400 });
    const scale = await raw(server, 'PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale', '{"spec": ');
    expect(scale.status).toBe(400);
    expect(scale.json()['message']).toBe(
      `the object provided is unrecognized (must be of type Scale): couldn't get version/kind; json parse error: unexpected end of JSON input ({"spec": )`,
    );
    const patch = await raw(server, 'PATCH', '/api/v1/namespaces/default', '{not json', {
      'Content-Type': 'application/merge-patch+json',
    });
    expect(patch.status).toBe(400);
  });

  it('400 for field selectors the real server does not support', async () => {
    const cr = await raw(server, 'GET', '/apis/example.com/v1/namespaces/default/gadgets?fieldSelector=spec.url%3Dx');
    expect(cr.status).toBe(400);
    expect(cr.json()['message']).toBe('field label not supported: spec.url');
    const watch = await raw(server, 'GET', '/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=data.a%3Db');
    expect(watch.status).toBe(400);
    expect(
      (await raw(server, 'GET', '/api/v1/pods?fieldSelector=status.phase%3DRunning,spec.nodeName%3Dn1')).status,
    ).toBe(200);
    expect((await raw(server, 'GET', '/api/v1/namespaces/default/secrets?fieldSelector=type%3DOpaque')).status).toBe(
      200,
    );
  });

  it('403 Forbidden under impersonation, with the RBAC message', async () => {
    const r = await raw(server, 'GET', '/api/v1/namespaces/default/secrets', undefined, { 'Impersonate-User': 'jane' });
    expect(r.status).toBe(403);
    expect(r.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { kind: 'secrets' },
      code: 403,
    });
    const noToken = await raw(server, 'GET', '/api/v1/namespaces', undefined, { Authorization: 'Bearer wrong' });
    expect(noToken.status).toBe(401);
  });

  it('a terminating namespace refuses new content (403) and goes away once its content is gone', async () => {
    const post = (path: string, body: unknown) => raw(server, 'POST', path, JSON.stringify(body));
    expect(
      (await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ending' } })).status,
    ).toBe(201);
    await post('/api/v1/namespaces/ending/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', finalizers: ['example.com/hold'] },
    });
    expect((await raw(server, 'DELETE', '/api/v1/namespaces/ending')).status).toBe(200);
    const ns = await raw(server, 'GET', '/api/v1/namespaces/ending');
    expect(getPath(ns.json(), 'status.phase')).toBe('Terminating');
    const refused = await post('/api/v1/namespaces/ending/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'new' },
    });
    expect(refused.status).toBe(403);
    expect(refused.json()['message']).toBe(
      'configmaps "new" is forbidden: unable to create new content in namespace ending because it is being terminated',
    );
    await raw(
      server,
      'PATCH',
      '/api/v1/namespaces/ending/configmaps/held',
      JSON.stringify({ metadata: { finalizers: null } }),
      { 'Content-Type': 'application/merge-patch+json' },
    );
    for (let i = 0; i < 50 && (await raw(server, 'GET', '/api/v1/namespaces/ending')).status !== 404; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await raw(server, 'GET', '/api/v1/namespaces/ending')).status).toBe(404);
    const protectedNs = await raw(server, 'DELETE', '/api/v1/namespaces/default');
    expect(protectedNs.status).toBe(403);
  });

  it('409 AlreadyExists and Conflict, 415 for strategic merge on a custom resource', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' } });
    expect((await raw(server, 'POST', '/api/v1/namespaces/default/configmaps', body)).status).toBe(201);
    const again = await raw(server, 'POST', '/api/v1/namespaces/default/configmaps', body);
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "dup" already exists' });
    const stale = await raw(
      server,
      'PUT',
      '/api/v1/namespaces/default/configmaps/dup',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup', resourceVersion: '1' } }),
    );
    expect(stale.status).toBe(409);
    expect(stale.json()['message']).toBe(
      'Operation cannot be fulfilled on configmaps "dup": the object has been modified; please apply your changes to the latest version and try again',
    );
    await raw(
      server,
      'POST',
      '/apis/example.com/v1/namespaces/default/gadgets',
      JSON.stringify({
        apiVersion: 'example.com/v1',
        kind: 'Gadget',
        metadata: { name: 'g2' },
        spec: { url: 'https://x' },
      }),
    );
    const smp = await raw(
      server,
      'PATCH',
      '/apis/example.com/v1/namespaces/default/gadgets/g2',
      '{"spec":{"url":"https://y"}}',
      { 'Content-Type': 'application/strategic-merge-patch+json' },
    );
    expect(smp.status).toBe(415);
    expect(smp.json()).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 });
  });

  it('watch from a compacted resourceVersion returns a 410 Expired ERROR event', async () => {
    const list = await raw(server, 'GET', '/api/v1/namespaces/default/configmaps');
    const rv = (list.json()['metadata'] as { resourceVersion: string }).resourceVersion;
    await raw(
      server,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' } }),
    );
    server.hooks.compact();
    const w = await raw(server, 'GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`);
    expect(w.status).toBe(200);
    const ev = JSON.parse(w.body.trim().split('\n')[0] as string) as { type: string; object: Record<string, unknown> };
    expect(ev.type).toBe('ERROR');
    expect(ev.object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
  });

  it('injects errors per verb and resource and counts requests', async () => {
    server.counters.reset();
    const injectedBefore = server.hooks.injectedErrors();
    const remove = server.hooks.injectError({ verb: 'get', resource: 'configmaps', code: 429, times: 1 });
    const first = await raw(server, 'GET', '/api/v1/namespaces/default/configmaps/dup');
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.json()).toMatchObject({ reason: 'TooManyRequests', code: 429 });
    expect((await raw(server, 'GET', '/api/v1/namespaces/default/configmaps/dup')).status).toBe(200);
    remove();
    server.hooks.injectError({ verb: 'list', code: 500, probability: 1 });
    expect((await raw(server, 'GET', '/apis/apps/v1/deployments')).status).toBe(500);
    server.hooks.clearErrors();
    expect((await raw(server, 'GET', '/apis/apps/v1/deployments')).status).toBe(200);
    // the removed and the cleared rule still count what they injected
    expect(server.hooks.injectedErrors() - injectedBefore).toBe(2);
    expect(server.counters.get('get', 'configmaps')).toBe(2);
    expect(server.counters.get('list', 'deployments.apps')).toBe(2);
  });

  it('dryRun=All validates and returns the object without storing it', async () => {
    const creates = server.counters.get('create', 'configmaps');
    const dryCreates = server.counters.get('dryrun-create', 'configmaps');
    const r = await raw(
      server,
      'POST',
      '/api/v1/namespaces/default/configmaps?dryRun=All',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } }),
    );
    expect(r.status).toBe(201);
    expect(r.json()['metadata']).toMatchObject({ name: 'dry', namespace: 'default' });
    expect((await raw(server, 'GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
    const del = await raw(server, 'DELETE', '/api/v1/namespaces/default/configmaps/dup?dryRun=All');
    expect(del.status).toBe(200);
    expect((await raw(server, 'GET', '/api/v1/namespaces/default/configmaps/dup')).status).toBe(200);
    // Dry-run writes are counted apart from real ones.
    expect(server.counters.get('create', 'configmaps')).toBe(creates);
    expect(server.counters.get('dryrun-create', 'configmaps')).toBe(dryCreates + 1);
    expect(server.counters.get('dryrun-delete', 'configmaps')).toBeGreaterThanOrEqual(1);
  });

  it('Warn field validation returns a Warning header and prunes the unknown field', async () => {
    const r = await raw(
      server,
      'POST',
      '/api/v1/namespaces/default/configmaps?fieldValidation=Warn',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'warned' }, bogus: 1 }),
    );
    expect(r.status).toBe(201);
    expect(r.headers['warning']).toBe('299 - "unknown field \\"bogus\\""');
    expect(r.json()['bogus']).toBeUndefined();
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'typo' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x', imagee: 'y' }] } },
      },
    };
    const nested = await raw(
      server,
      'POST',
      '/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict',
      JSON.stringify(deploy),
    );
    expect(nested.status).toBe(400);
    expect(nested.json()['message']).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee"',
    );
    const wrongType = await raw(
      server,
      'POST',
      '/apis/apps/v1/namespaces/default/deployments',
      JSON.stringify({ ...deploy, metadata: { name: 'wrong' }, spec: { ...deploy.spec, replicas: 'three' } }),
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.json()['message']).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    const ignored = await raw(
      server,
      'POST',
      '/apis/apps/v1/namespaces/default/deployments?fieldValidation=Ignore',
      JSON.stringify(deploy),
    );
    expect(ignored.status).toBe(201);
    expect(getPath(ignored.json(), 'spec.template.spec.containers')).toMatchObject([{ name: 'c', image: 'x' }]);
    expect(JSON.stringify(ignored.json())).not.toContain('imagee');
    const strict = await raw(
      server,
      'POST',
      '/api/v1/namespaces/default/configmaps?fieldValidation=Strict',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict' }, bogus: 1 }),
    );
    expect(strict.status).toBe(400);
    expect(strict.json()['message']).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"',
    );
  });
});
