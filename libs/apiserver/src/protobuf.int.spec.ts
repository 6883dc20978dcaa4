import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, encodeEnvelope } from './protobuf.ts';
import { decodeMessage } from './protobuf/codec.ts';
import { manifest, startCluster, type Cluster } from './testing/harness.ts';
import type { Obj } from './util.ts';

const PB = 'application/vnd.kubernetes.protobuf';

/** One request with the admin token; the body is kept as bytes. */
const send = (
  c: Cluster,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Uint8Array,
): Promise<{ status: number; type: string; body: Buffer }> =>
  new Promise((resolve, reject) => {
    const u = new URL(path, c.server.url);
    const req = request(
      {
        method,
        hostname: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        ca: c.server.caPem,
        headers: { Authorization: `Bearer ${c.server.adminToken}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets, singular: gadget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

const NETPOL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: pb}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
    ports: [{protocol: TCP, port: 8080, endPort: 8090}]
`;

// Each test runs several kubectl processes; on a loaded 2-core CI machine vitest's default 5 s per test is too short
// (a time budget, not a timed assertion).
describe('Kubernetes protobuf with real kubectl', { timeout: 60_000 }, () => {
  let c: Cluster;
  const json = async (args: string[]): Promise<Obj> => JSON.parse(await c.ok([...args, '-o', 'json'])) as Obj;
  beforeAll(async () => {
    c = await startCluster();
    await c.ok(['create', 'namespace', 'pb']);
    await c.ok(['apply', '-f', await manifest(c, 'crd.yaml', CRD)]);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('kubectl create sends protobuf for every built-in kind, reads protobuf back, and get -o json shows the fields', async () => {
    const n = ['-n', 'pb'];
    expect(await c.ok(['create', 'pdb', 'p1', '--selector=app=web', '--min-available=50%', ...n])).toContain(
      'poddisruptionbudget.policy/p1 created',
    );
    await c.ok(['create', 'poddisruptionbudget', 'p2', '--selector=app=web', '--max-unavailable=0', ...n]);
    await c.ok(['create', 'deployment', 'dep', '--image=nginx:1', '--replicas=0', '--port=80', ...n]);
    await c.ok(['create', 'job', 'once', '--image=busybox', ...n, '--', 'echo', 'hi']);
    await c.ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', ...n, '--', 'date']);
    await c.ok(['create', 'service', 'clusterip', 'svc', '--tcp=80:http', ...n]);
    await c.ok(['create', 'ingress', 'ing', '--rule=a.example.com/api*=svc:http,tls=cert', ...n]);
    await c.ok(['create', 'priorityclass', 'low', '--value=0', '--description=lowest']);
    await c.ok(['create', 'quota', 'q', '--hard=pods=2,requests.cpu=500m', '--scopes=BestEffort', ...n]);
    await c.ok(['apply', '--validate=false', '-f', await manifest(c, 'netpol.yaml', NETPOL)]);

    expect(await json(['get', 'pdb', 'p1', ...n])).toMatchObject({
      spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } },
    });
    expect(await json(['get', 'pdb', 'p2', ...n])).toMatchObject({ spec: { maxUnavailable: 0 } });
    expect(await json(['get', 'deploy', 'dep', ...n])).toMatchObject({
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'dep' } },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1', ports: [{ containerPort: 80 }] }] } },
      },
    });
    expect(await json(['get', 'job', 'once', ...n])).toMatchObject({
      spec: { template: { spec: { containers: [{ command: ['echo', 'hi'] }], restartPolicy: 'Never' } } },
    });
    expect(await json(['get', 'cronjob', 'tick', ...n])).toMatchObject({
      spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure' } } } } },
    });
    expect(await json(['get', 'svc', 'svc', ...n])).toMatchObject({
      spec: { type: 'ClusterIP', ports: [{ name: '80-http', port: 80, targetPort: 'http' }] },
    });
    expect(await json(['get', 'ingress', 'ing', ...n])).toMatchObject({
      spec: {
        tls: [{ hosts: ['a.example.com'], secretName: 'cert' }],
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [
                { path: '/api', pathType: 'Prefix', backend: { service: { name: 'svc', port: { name: 'http' } } } },
              ],
            },
          },
        ],
      },
    });
    expect(await json(['get', 'priorityclass', 'low'])).toMatchObject({ value: 0, description: 'lowest' });
    expect(await json(['get', 'quota', 'q', ...n])).toMatchObject({
      spec: { hard: { pods: '2', 'requests.cpu': '500m' }, scopes: ['BestEffort'] },
    });
    // the other verbs kubectl speaks protobuf with: reviews, TokenRequest, scale, delete
    expect((await c.ok(['auth', 'can-i', 'create', 'pods', ...n])).trim()).toBe('yes');
    await c.ok(['create', 'serviceaccount', 'bot', ...n]);
    expect((await c.ok(['create', 'token', 'bot', ...n])).split('.')).toHaveLength(3);
    expect(await c.ok(['scale', 'deployment', 'dep', '--replicas=3', ...n])).toContain('deployment.apps/dep scaled');
    expect(await c.ok(['delete', 'pdb', 'p2', ...n])).toContain('poddisruptionbudget.policy "p2" deleted');
    expect(await json(['get', 'netpol', 'deny', ...n])).toMatchObject({
      spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 8080, endPort: 8090 }] }] },
    });
  });

  it('answers lists, objects and errors in protobuf when Accept prefers it; kubectl get -o wide shows the Pod wide columns', async () => {
    await c.ok(['run', 'web', '--image=nginx:1', '--labels=app=web', '-n', 'pb']);
    const wide = await c.ok(['get', 'pods', '-o', 'wide', '-n', 'pb']);
    expect(wide).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    expect(wide).toMatch(/^web\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>$/m);
    expect(await c.ok(['get', 'pods', '-n', 'pb'])).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    const list = await send(c, 'GET', '/api/v1/namespaces/pb/pods', { Accept: `${PB}, application/json` });
    expect(list).toMatchObject({ status: 200, type: PB });
    expect(decodeKubernetesProtobuf(list.body)).toMatchObject({
      apiVersion: 'v1',
      kind: 'PodList',
      items: [{ metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ image: 'nginx:1' }] } }],
    });

    const missing = await send(c, 'GET', '/api/v1/namespaces/pb/pods/nope', { Accept: PB });
    expect(missing).toMatchObject({ status: 404, type: PB });
    expect(decodeKubernetesProtobuf(missing.body)).toMatchObject({
      apiVersion: 'v1',
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'pods "nope" not found',
    });

    const body = encodeEnvelope({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw' }, data: { a: 'b' } });
    const created = await send(c, 'POST', '/api/v1/namespaces/pb/configmaps', { 'Content-Type': PB, Accept: PB }, body);
    expect(created.status).toBe(201);
    expect(decodeKubernetesProtobuf(created.body)).toMatchObject({ metadata: { name: 'raw' }, data: { a: 'b' } });

    // the wide cells of a placed pod: its first IP, its node, the nominated node and true/total readiness gates
    const placed = `apiVersion: v1
kind: Pod
metadata: {name: placed, namespace: pb}
spec:
  nodeName: node-a
  readinessGates: [{conditionType: example.com/lb}, {conditionType: example.com/dns}]
  containers: [{name: c, image: nginx:1}]
`;
    await c.ok(['apply', '-f', await manifest(c, 'placed.yaml', placed)]);
    const status = {
      status: {
        podIP: '10.1.2.3',
        podIPs: [{ ip: '10.1.2.3' }, { ip: 'fd00::3' }],
        nominatedNodeName: 'node-b',
        conditions: [
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
      },
    };
    await c.ok([
      'patch',
      'pod',
      'placed',
      '-n',
      'pb',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    expect(await c.ok(['get', 'pod', 'placed', '-o', 'wide', '-n', 'pb'])).toMatch(
      /^placed\s+0\/1\s+\S+\s+0\s+\d+s\s+10\.1\.2\.3\s+node-a\s+node-b\s+1\/2$/m,
    );
  });

  it('streams a watch as length-prefixed protobuf WatchEvent frames', async () => {
    await c.ok(['create', 'configmap', 'watched', '--from-literal=k=v', '-n', 'pb']);
    const w = await send(c, 'GET', '/api/v1/namespaces/pb/configmaps?watch=true&resourceVersion=0&timeoutSeconds=1', {
      Accept: `${PB}, application/json`,
    });
    expect(w).toMatchObject({ status: 200, type: `${PB};stream=watch` });
    const events: Obj[] = [];
    for (let at = 0; at < w.body.length;) {
      const len = w.body.readUInt32BE(at);
      events.push(decodeMessage(w.body.subarray(at + 4, at + 4 + len), 'meta.v1.WatchEvent'));
      at += 4 + len;
    }
    expect(events).toContainEqual({
      type: 'ADDED',
      object: expect.objectContaining({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: expect.objectContaining({ name: 'watched', namespace: 'pb' }),
        data: { k: 'v' },
      }),
    });
  });

  it('decodes and answers CustomResourceDefinitions in protobuf; kubectl reads them and serves the kind', async () => {
    const crd: Obj = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gizmos.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Gizmo', plural: 'gizmos', singular: 'gizmo', shortNames: ['gz'] },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            additionalPrinterColumns: [{ name: 'Size', type: 'string', jsonPath: '.spec.size' }],
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    'x-kubernetes-validations': [{ rule: 'self.count >= 0', message: 'count must not be negative' }],
                    properties: {
                      size: { 'x-kubernetes-int-or-string': true, default: 'small' },
                      count: { type: 'integer', minimum: 0, default: 1 },
                      tags: { type: 'array', items: { type: 'string' }, default: [] },
                      labels: { type: 'object', additionalProperties: { type: 'string' } },
                      extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                      on: { type: 'boolean', default: false },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    };
    const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    const created = await send(c, 'POST', path, { 'Content-Type': PB, Accept: PB }, encodeEnvelope(crd));
    expect(created).toMatchObject({ status: 201, type: PB });
    expect(decodeKubernetesProtobuf(created.body)).toMatchObject({
      kind: 'CustomResourceDefinition',
      spec: crd['spec'],
    });

    // kubectl asks for JSON here (its dynamic client), and sees every field the protobuf body carried
    const viaKubectl = await c.kubectl(['get', 'crd', 'gizmos.example.com', '-o', 'json', '-v=8']);
    expect(viaKubectl.stderr).toMatch(/Accept: application\/json/);
    expect(JSON.parse(viaKubectl.stdout)).toMatchObject({ spec: crd['spec'] });

    const got = await send(c, 'GET', `${path}/gizmos.example.com`, { Accept: `${PB}, application/json` });
    expect(got).toMatchObject({ status: 200, type: PB });
    expect(decodeKubernetesProtobuf(got.body)).toMatchObject({
      spec: crd['spec'],
      status: { acceptedNames: { kind: 'Gizmo', plural: 'gizmos' }, storedVersions: ['v1'] },
    });
    const listed = await send(c, 'GET', path, { Accept: PB });
    expect(listed).toMatchObject({ status: 200, type: PB });
    expect(decodeKubernetesProtobuf(listed.body)).toMatchObject({
      kind: 'CustomResourceDefinitionList',
      items: expect.arrayContaining([
        expect.objectContaining({ metadata: expect.objectContaining({ name: 'gizmos.example.com' }) }),
      ]),
    });

    const w = await send(
      c,
      'GET',
      `${path}?watch=true&fieldSelector=metadata.name%3Dgizmos.example.com&timeoutSeconds=1`,
      {
        Accept: `${PB}, application/json`,
      },
    );
    expect(w).toMatchObject({ status: 200, type: `${PB};stream=watch` });
    const event = decodeMessage(w.body.subarray(4, 4 + w.body.readUInt32BE(0)), 'meta.v1.WatchEvent');
    expect(event).toMatchObject({ type: 'ADDED', object: { kind: 'CustomResourceDefinition', spec: crd['spec'] } });

    // the schema decoded from protobuf is the one the server defaults and validates with
    await c.ok(['apply', '-f', '-'], {
      stdin: 'apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g1, namespace: pb}\nspec: {}\n',
    });
    expect(await json(['get', 'gizmo', 'g1', '-n', 'pb'])).toMatchObject({
      spec: { size: 'small', count: 1, tags: [], on: false },
    });
    const bad = await c.kubectl(['apply', '-f', '-'], {
      stdin: 'apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g2, namespace: pb}\nspec: {count: -1}\n',
    });
    expect(bad.stderr).toContain('count must not be negative');
  });

  it('never answers custom resources in protobuf: JSON when also accepted, else 406; protobuf bodies get 415', async () => {
    const path = '/apis/example.com/v1/namespaces/pb/gadgets';
    const listed = await send(c, 'GET', path, { Accept: `${PB}, application/json` });
    expect(listed.status).toBe(200);
    expect(listed.type).toBe('application/json');
    expect(JSON.parse(listed.body.toString())).toMatchObject({ kind: 'GadgetList' });

    const only = await send(c, 'GET', path, { Accept: PB });
    expect(only.status).toBe(406);
    expect(JSON.parse(only.body.toString())).toMatchObject({
      reason: 'NotAcceptable',
      message: 'only the following media types are accepted: application/json, application/yaml',
    });

    const posted = await send(c, 'POST', path, { 'Content-Type': PB }, Buffer.from([0x6b, 0x38, 0x73, 0x00]));
    expect(posted.status).toBe(415);
    expect(JSON.parse(posted.body.toString())).toMatchObject({
      reason: 'UnsupportedMediaType',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    });
  });
});
