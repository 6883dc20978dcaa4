/**
 * ConfigMaps and Secrets the server must refuse as kube-apiserver does (typed decoding and
 * pkg/apis/core/validation ValidateConfigMap/ValidateSecret), on every write path, storing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusCause } from './errors.ts';
import { manifest, raw, startCluster, type Cluster, type RawResponse } from './testing/harness.ts';
import type { Obj } from './util.ts';

const NS = '/api/v1/namespaces/default';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const KEY_REGEX_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

const configMap = (name: string, rest: Obj): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  ...rest,
});
const secret = (name: string, rest: Obj): Obj => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...rest });

interface Rejected {
  name: string;
  resource: 'configmaps' | 'secrets';
  /** An accepted object of the same name and type: the stored object updates and patches start from. */
  valid: Obj;
  invalid: Obj;
  code: 400 | 422;
  message: string;
  causes?: StatusCause[];
}

const decodeCases: Rejected[] = [
  {
    name: 'ConfigMap data that is an array',
    resource: 'configmaps',
    valid: configMap('cm-array', { data: { a: '1' } }),
    invalid: configMap('cm-array', { data: [1] }),
    code: 400,
    message:
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string',
  },
  {
    name: 'ConfigMap data value that is a number',
    resource: 'configmaps',
    valid: configMap('cm-number', { data: { port: '8080' } }),
    invalid: configMap('cm-number', { data: { port: 8080 } }),
    code: 400,
    message:
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
  },
  {
    name: 'ConfigMap binaryData that is not base64',
    resource: 'configmaps',
    valid: configMap('cm-binary', { binaryData: { blob: b64('blob') } }),
    invalid: configMap('cm-binary', { binaryData: { blob: 'not base64!' } }),
    code: 400,
    message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 3',
  },
  {
    name: 'Secret data that is not base64',
    resource: 'secrets',
    valid: secret('sec-b64', { data: { username: b64('admin') } }),
    invalid: secret('sec-b64', { data: { username: 'admin' } }),
    code: 400,
    message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4',
  },
  {
    name: 'Secret data value that is a number',
    resource: 'secrets',
    valid: secret('sec-number', { data: { pin: b64('1234') } }),
    invalid: secret('sec-number', { data: { pin: 1234 } }),
    code: 400,
    message:
      'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field Secret.data of type []uint8',
  },
  {
    name: 'Secret stringData value that is not a string',
    resource: 'secrets',
    valid: secret('sec-string', { stringData: { enabled: 'true' } }),
    invalid: secret('sec-string', { stringData: { enabled: true } }),
    code: 400,
    message:
      'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal bool into Go struct field Secret.stringData of type string',
  },
];

const invalid = (kind: string, name: string, causes: StatusCause[]): Pick<Rejected, 'code' | 'message' | 'causes'> => {
  const msgs = causes.map((c) => `${c.field}: ${c.message}`);
  return {
    code: 422,
    message: `${kind} "${name}" is invalid: ${msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`}`,
    causes,
  };
};
const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field });
const tls = { 'tls.crt': b64('cert'), 'tls.key': b64('key') };

const validationCases: Rejected[] = [
  {
    name: 'ConfigMap data key with a space',
    resource: 'configmaps',
    valid: configMap('cm-key', { data: { good: 'x' } }),
    invalid: configMap('cm-key', { data: { good: 'x', 'bad key': 'y' } }),
    ...invalid('ConfigMap', 'cm-key', [
      { reason: 'FieldValueInvalid', message: `Invalid value: "bad key": ${KEY_REGEX_MSG}`, field: 'data[bad key]' },
    ]),
  },
  {
    name: 'ConfigMap key in both data and binaryData',
    resource: 'configmaps',
    valid: configMap('cm-dup', { data: { k: 'x' } }),
    invalid: configMap('cm-dup', { data: { k: 'x' }, binaryData: { k: b64('x') } }),
    ...invalid('ConfigMap', 'cm-dup', [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "k": duplicate of key present in binaryData',
        field: 'data[k]',
      },
    ]),
  },
  {
    name: 'ConfigMap over 1 MiB',
    resource: 'configmaps',
    valid: configMap('cm-big', { data: { a: 'x' } }),
    invalid: configMap('cm-big', { data: { a: 'x'.repeat(1 << 19), b: 'y'.repeat((1 << 19) + 1) } }),
    ...invalid('ConfigMap', 'cm-big', [
      { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: '[]' },
    ]),
  },
  {
    name: 'Secret over 1 MiB',
    resource: 'secrets',
    valid: secret('sec-big', { data: { a: b64('x') } }),
    invalid: secret('sec-big', { data: { a: b64('x') }, stringData: { b: 'y'.repeat(1 << 20) } }),
    ...invalid('Secret', 'sec-big', [
      { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: 'data' },
    ]),
  },
  {
    name: 'Secret stringData key that is not a config key (reported under data)',
    resource: 'secrets',
    valid: secret('sec-key', { stringData: { ok: 'x' } }),
    invalid: secret('sec-key', { stringData: { ok: 'x', '..hidden': 'y' } }),
    ...invalid('Secret', 'sec-key', [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: "..hidden": must not start with '..'`,
        field: 'data[..hidden]',
      },
    ]),
  },
  {
    name: 'TLS Secret without tls.key',
    resource: 'secrets',
    valid: secret('sec-tls', { type: 'kubernetes.io/tls', data: tls }),
    invalid: secret('sec-tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': tls['tls.crt'] } }),
    ...invalid('Secret', 'sec-tls', [required('data[tls.key]')]),
  },
  {
    name: 'dockerconfigjson Secret without .dockerconfigjson',
    resource: 'secrets',
    valid: secret('sec-docker', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{}') } }),
    invalid: secret('sec-docker', { type: 'kubernetes.io/dockerconfigjson', data: { config: b64('{}') } }),
    ...invalid('Secret', 'sec-docker', [required('data[.dockerconfigjson]')]),
  },
  {
    name: 'dockerconfigjson Secret with invalid JSON',
    resource: 'secrets',
    valid: secret('sec-json', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{}') } }),
    invalid: secret('sec-json', {
      type: 'kubernetes.io/dockerconfigjson',
      stringData: { '.dockerconfigjson': '{"auths": {registry: {}}}' },
    }),
    ...invalid('Secret', 'sec-json', [
      {
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "<secret contents redacted>": invalid character \'r\' looking for beginning of object key string',
        field: 'data[.dockerconfigjson]',
      },
    ]),
  },
  {
    name: 'dockercfg Secret without .dockercfg',
    resource: 'secrets',
    valid: secret('sec-cfg', { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('{}') } }),
    invalid: secret('sec-cfg', { type: 'kubernetes.io/dockercfg', data: {} }),
    ...invalid('Secret', 'sec-cfg', [required('data[.dockercfg]')]),
  },
  {
    name: 'basic-auth Secret with neither username nor password',
    resource: 'secrets',
    valid: secret('sec-basic', { type: 'kubernetes.io/basic-auth', data: { username: b64('u') } }),
    invalid: secret('sec-basic', { type: 'kubernetes.io/basic-auth', data: { user: b64('u') } }),
    ...invalid('Secret', 'sec-basic', [required('data[username]'), required('data[password]')]),
  },
  {
    name: 'ssh-auth Secret without ssh-privatekey',
    resource: 'secrets',
    valid: secret('sec-ssh', { type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': b64('key') } }),
    invalid: secret('sec-ssh', { type: 'kubernetes.io/ssh-auth', data: { 'ssh-publickey': b64('key') } }),
    ...invalid('Secret', 'sec-ssh', [required('data[ssh-privatekey]')]),
  },
  {
    name: 'service-account-token Secret without the service account annotation',
    resource: 'secrets',
    valid: {
      ...secret('sec-sa', { type: 'kubernetes.io/service-account-token' }),
      metadata: { name: 'sec-sa', annotations: { 'kubernetes.io/service-account.name': 'default' } },
    },
    invalid: secret('sec-sa', { type: 'kubernetes.io/service-account-token' }),
    ...invalid('Secret', 'sec-sa', [required('metadata.annotations[kubernetes.io/service-account.name]')]),
  },
];

/** The JSON merge patch (RFC 7386) that turns `from` into `to`. */
const mergePatch = (from: Obj, to: Obj): Obj => {
  const out: Obj = {};
  for (const k of Object.keys(from)) if (!(k in to)) out[k] = null;
  for (const [k, v] of Object.entries(to)) {
    const f = from[k];
    if (
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof f === 'object' &&
      f !== null &&
      !Array.isArray(f)
    )
      out[k] = mergePatch(f as Obj, v as Obj);
    else out[k] = v;
  }
  return out;
};

const nameOf = (o: Obj): string => String((o['metadata'] as Obj)['name']);

describe('ConfigMap and Secret validation', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  const send = (method: string, path: string, body: unknown, contentType?: string): Promise<RawResponse> =>
    raw(c.server, method, path, JSON.stringify(body), contentType ? { 'Content-Type': contentType } : {});

  const expectRejected = (r: RawResponse, tc: Rejected, verb: string): void => {
    const status = r.json();
    expect({ verb, code: r.status, message: status['message'] }).toEqual({ verb, code: tc.code, message: tc.message });
    expect(status['reason']).toBe(tc.code === 400 ? 'BadRequest' : 'Invalid');
    if (tc.causes)
      expect(status['details']).toEqual({ name: nameOf(tc.invalid), kind: tc.invalid['kind'], causes: tc.causes });
  };

  /** Create, dry-run create and server-side apply of a new object are refused, and nothing is stored. */
  const rejectsNew = async (tc: Rejected, verbs: string[]): Promise<void> => {
    const url = `${NS}/${tc.resource}`;
    const name = nameOf(tc.invalid);
    const apply = `${url}/${name}?fieldManager=test`;
    const attempts: Record<string, () => Promise<RawResponse>> = {
      create: () => send('POST', url, tc.invalid),
      'create dry-run': () => send('POST', `${url}?dryRun=All`, tc.invalid),
      apply: () => send('PATCH', apply, tc.invalid, 'application/apply-patch+yaml'),
      'apply dry-run': () => send('PATCH', `${apply}&dryRun=All`, tc.invalid, 'application/apply-patch+yaml'),
    };
    for (const verb of verbs) expectRejected(await attempts[verb]!(), tc, verb);
    expect((await raw(c.server, 'GET', `${url}/${name}`)).status).toBe(404);
  };

  /** Update (also dry-run) and merge patch of the stored valid object are refused, and it stays as it was. */
  const rejectsChange = async (tc: Rejected, verbs: string[]): Promise<void> => {
    const url = `${NS}/${tc.resource}/${nameOf(tc.valid)}`;
    const created = await send('POST', `${NS}/${tc.resource}`, tc.valid);
    expect(created.status, created.body).toBe(201);
    const stored = created.json();
    const attempts: Record<string, () => Promise<RawResponse>> = {
      update: () => send('PUT', url, tc.invalid),
      'update dry-run': () => send('PUT', `${url}?dryRun=All`, tc.invalid),
      'merge patch': () => send('PATCH', url, mergePatch(tc.valid, tc.invalid), 'application/merge-patch+json'),
    };
    for (const verb of verbs) expectRejected(await attempts[verb]!(), tc, verb);
    expect((await raw(c.server, 'GET', url)).json()).toEqual(stored);
    expect((await raw(c.server, 'DELETE', url)).status).toBe(200);
  };

  it.each(decodeCases)('400 for $name on create, dry-run create and update', async (tc) => {
    await rejectsNew(tc, ['create', 'create dry-run']);
    await rejectsChange(tc, ['update', 'update dry-run']);
  });

  it.each(validationCases)('422 for $name on every write path', async (tc) => {
    await rejectsNew(tc, ['create', 'create dry-run', 'apply', 'apply dry-run']);
    await rejectsChange(tc, ['update', 'update dry-run', 'merge patch']);
  });

  it('keeps a Secret type immutable on update, merge patch and server-side apply', async () => {
    const url = `${NS}/secrets/sec-type`;
    const created = await send('POST', `${NS}/secrets`, secret('sec-type', { type: 'kubernetes.io/tls', data: tls }));
    expect(created.status).toBe(201);
    const immutable = (value: string): Rejected => ({
      name: 'type change',
      resource: 'secrets',
      valid: {},
      invalid: secret('sec-type', {}),
      ...invalid('Secret', 'sec-type', [
        { reason: 'FieldValueInvalid', message: `Invalid value: "${value}": field is immutable`, field: 'type' },
      ]),
    });
    // A PUT without a type is defaulted to Opaque first.
    expectRejected(await send('PUT', url, secret('sec-type', { data: tls })), immutable('Opaque'), 'update');
    const basic = { type: 'kubernetes.io/basic-auth', data: { ...tls, username: b64('u') } };
    expectRejected(await send('PUT', url, secret('sec-type', basic)), immutable('kubernetes.io/basic-auth'), 'update');
    expectRejected(
      await send('PATCH', url, basic, 'application/merge-patch+json'),
      immutable('kubernetes.io/basic-auth'),
      'merge patch',
    );
    expectRejected(
      await send(
        'PATCH',
        `${url}?fieldManager=test&force=true`,
        secret('sec-type', basic),
        'application/apply-patch+yaml',
      ),
      immutable('kubernetes.io/basic-auth'),
      'apply',
    );
    expect((await raw(c.server, 'GET', url)).json()).toEqual(created.json());
  });

  it('still forbids data changes of an immutable Secret', async () => {
    const url = `${NS}/secrets/sec-immutable`;
    const created = await send(
      'POST',
      `${NS}/secrets`,
      secret('sec-immutable', { data: { a: b64('1') }, immutable: true }),
    );
    expect(created.status).toBe(201);
    const r = await send('PATCH', url, { stringData: { a: '2' } }, 'application/merge-patch+json');
    expect(r.status).toBe(422);
    expect(r.json()['message']).toBe(
      'Secret "sec-immutable" is invalid: data: Forbidden: field is immutable when `immutable` is set',
    );
    expect((await raw(c.server, 'GET', url)).json()).toEqual(created.json());
  });

  it.each([
    {
      name: 'TLS Secret from stringData',
      body: secret('ok-tls', { type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'cert', 'tls.key': 'key' } }),
      stored: { type: 'kubernetes.io/tls', data: tls },
    },
    {
      name: 'basic-auth Secret with an empty password only',
      body: secret('ok-basic', { type: 'kubernetes.io/basic-auth', stringData: { password: '' } }),
      stored: { type: 'kubernetes.io/basic-auth', data: { password: '' } },
    },
    {
      name: 'dockerconfigjson Secret from stringData',
      body: secret('ok-docker', {
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': '{"auths":{"ghcr.io":{"auth":"dTpw"}}}' },
      }),
      stored: {
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': b64('{"auths":{"ghcr.io":{"auth":"dTpw"}}}') },
      },
    },
    {
      name: 'dockercfg Secret whose JSON is null',
      body: secret('ok-cfg', { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('null') } }),
      stored: { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('null') } },
    },
    {
      name: 'ssh-auth Secret',
      body: secret('ok-ssh', { type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': 'PRIVATE' } }),
      stored: { type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': b64('PRIVATE') } },
    },
    {
      name: 'service-account-token Secret with its annotation',
      body: {
        ...secret('ok-sa', { type: 'kubernetes.io/service-account-token' }),
        metadata: { name: 'ok-sa', annotations: { 'kubernetes.io/service-account.name': 'default' } },
      },
      stored: { type: 'kubernetes.io/service-account-token' },
    },
    { name: 'Opaque Secret without data', body: secret('ok-empty', {}), stored: { type: 'Opaque' } },
    {
      name: 'Opaque Secret with empty data',
      body: secret('ok-empty-data', { type: '', data: {} }),
      stored: { type: 'Opaque' },
    },
    {
      name: 'custom Secret type, data base64 with line breaks (stored canonical)',
      body: secret('ok-custom', { type: 'example.com/custom', data: { 'key.name': 'aGVs\nbG8=\n', KEY_NAME: null } }),
      stored: { type: 'example.com/custom', data: { 'key.name': b64('hello'), KEY_NAME: '' } },
    },
    {
      name: 'ConfigMap of exactly 1 MiB with a null value',
      body: configMap('ok-cm', { data: { big: 'x'.repeat(1 << 20), 'key-name': null }, binaryData: {} }),
      stored: { data: { big: 'x'.repeat(1 << 20), 'key-name': '' } },
    },
  ])('accepts a $name', async ({ body, stored }) => {
    const resource = body['kind'] === 'Secret' ? 'secrets' : 'configmaps';
    const r = await send('POST', `${NS}/${resource}`, body);
    expect(r.status, r.body.slice(0, 500)).toBe(201);
    const got = (await raw(c.server, 'GET', `${NS}/${resource}/${nameOf(body)}`)).json();
    expect(got).toMatchObject(stored);
    expect(got['stringData']).toBeUndefined();
    if (!('data' in stored)) expect(got['data']).toBeUndefined();
    expect(got['binaryData']).toBeUndefined();
  });

  it('kubectl apply prints the messages a real cluster gives', async () => {
    const cases: [string, string, string][] = [
      [
        'cm-array.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k-array\ndata: [1]\n',
        'Error from server (BadRequest): error when creating "FILE": ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string',
      ],
      [
        'cm-port.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k-port\ndata:\n  port: 8080\n',
        'Error from server (BadRequest): error when creating "FILE": ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
      ],
      [
        'cm-key.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k-key\ndata:\n  bad key: x\n',
        `The ConfigMap "k-key" is invalid: data[bad key]: Invalid value: "bad key": ${KEY_REGEX_MSG}`,
      ],
      [
        'secret-b64.yaml',
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: k-b64\ndata:\n  username: admin\n',
        'Error from server (BadRequest): error when creating "FILE": Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4',
      ],
      [
        'secret-tls.yaml',
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: k-tls\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: cert\n',
        'The Secret "k-tls" is invalid: data[tls.key]: Required value',
      ],
      [
        'secret-basic.yaml',
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: k-basic\ntype: kubernetes.io/basic-auth\n',
        'The Secret "k-basic" is invalid: \n* data[username]: Required value\n* data[password]: Required value',
      ],
    ];
    for (const [file, yaml, want] of cases) {
      const path = await manifest(c, file, yaml);
      const r = await c.kubectl(['apply', '-f', path]);
      expect({ file, code: r.code, stderr: r.stderr.trim() }).toEqual({
        file,
        code: 1,
        stderr: want.replace('FILE', path),
      });
    }
    expect((await c.kubectl(['get', 'configmaps,secrets', '-o', 'name'])).stdout).not.toMatch(/\/k-/);
  });
});
