import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parse } from 'yaml';
import { eventually, manifest, startCluster, type Cluster } from './testing/harness.ts';
import { getPath } from './util.ts';

/** kubectl 1.27 from the image's version set (asks for aggregated discovery v2beta1 only). */
const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';

/** Read a dotted path of parsed kubectl output. */
const at = (o: unknown, path: string | readonly string[]): unknown => getPath(o, path);

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd], categories: [all]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.size, statusReplicasPath: .status.size}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10}
              color: {type: string, enum: [red, blue], default: red}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    port: {x-kubernetes-int-or-string: true}
          status:
            type: object
            properties:
              size: {type: integer}
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
                    reason: {type: string}
`;

const DEPLOY = (replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox:1.36
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
`;

// Each test runs several kubectl processes (about 0.1-0.3 s each when idle); on a loaded 2-core CI machine vitest's
// default 5 s per test is too short, so the suite allows 60 s (a time budget, not a timed assertion).
describe('kubectl against the in-process API server', { timeout: 60_000 }, () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('applies Deployments, Services and ConfigMaps client-side and prints them with printer columns', async () => {
    const f = await manifest(c, 'app.yaml', DEPLOY(2));
    const out = await c.ok(['apply', '-f', f]);
    expect(out).toContain('deployment.apps/web created');
    expect(out).toContain('service/web created');
    expect(out).toContain('configmap/settings created');

    const table = await c.ok(['get', 'deploy,svc,cm', '-l', 'app=web']);
    expect(table).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(table).toMatch(/deployment\.apps\/web\s+0\/2\s+0\s+0\s+\d+s/);
    const cms = await c.ok(['get', 'cm', 'settings']);
    expect(cms).toMatch(/settings\s+1\s+\d+s/);
    const svc = await c.ok(['get', 'svc', 'web']);
    expect(svc).toMatch(/web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP/);

    const y: unknown = parse(await c.ok(['get', 'deploy', 'web', '-o', 'yaml']));
    expect(at(y, 'metadata.generation')).toBe(1);
    expect(at(y, 'metadata.annotations')).toMatchObject({
      'kubectl.kubernetes.io/last-applied-configuration': expect.stringContaining('"replicas":2'),
    });
    expect(at(y, 'spec.template.spec.containers')).toMatchObject([
      { name: 'nginx', imagePullPolicy: 'IfNotPresent' },
      { name: 'sidecar' },
    ]);

    // re-apply with a spec change bumps generation; an unchanged object is reported unchanged
    const f3 = await manifest(c, 'app3.yaml', DEPLOY(3));
    const again = await c.ok(['apply', '-f', f3]);
    expect(again).toContain('deployment.apps/web configured');
    expect(again).toContain('configmap/settings unchanged');
    const y3: unknown = parse(await c.ok(['get', 'deploy', 'web', '-o', 'yaml']));
    expect(at(y3, 'metadata.generation')).toBe(2);
    expect(at(y3, 'spec.replicas')).toBe(3);
    expect(Number(at(y3, 'metadata.resourceVersion'))).toBeGreaterThan(Number(at(y, 'metadata.resourceVersion')));
    // replace (PUT) keeps server-allocated values such as the Service clusterIP
    const ip = await c.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(await c.ok(['replace', '-f', f3])).toContain('service/web replaced');
    expect(await c.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).toBe(ip);
  });

  it('serves a CRD within a second, validates, defaults and prints custom resources', async () => {
    const f = await manifest(c, 'crd.yaml', CRD);
    await c.ok(['apply', '-f', f]);
    await c.ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s']);
    const w = await manifest(
      c,
      'w1.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n',
    );
    expect(await c.ok(['apply', '-f', w])).toContain('widget.example.com/w1 created');
    const table = await c.ok(['get', 'wd']);
    expect(table).toMatch(/NAME\s+SIZE\s+READY\s+AGE/);
    expect(table).toMatch(/w1\s+3\s+\d+s/);
    const y: unknown = parse(await c.ok(['get', 'widget', 'w1', '-o', 'yaml']));
    expect(at(y, 'spec')).toEqual({ size: 3, color: 'red' });
    expect(at(y, 'metadata.generation')).toBe(1);

    // schema violations are 422 with causes; unknown fields are rejected under kubectl's Strict validation
    const bad = await manifest(
      c,
      'bad.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 30, color: green}\n',
    );
    const r = await c.kubectl(['apply', '-f', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Widget "w2" is invalid');
    expect(r.stderr).toContain('spec.color: Unsupported value: "green": supported values: "red", "blue"');
    expect(r.stderr).toContain('spec.size: Invalid value: 30: spec.size in body should be less than or equal to 10');
    const unk = await manifest(
      c,
      'unk.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w3}\nspec: {size: 3, foo: 1}\n',
    );
    const r2 = await c.kubectl(['apply', '-f', unk]);
    expect(r2.stderr).toContain('strict decoding error: unknown field "spec.foo"');
    // with validation off the field is pruned
    await c.ok(['apply', '--validate=false', '-f', unk]);
    expect(JSON.parse(await c.ok(['get', 'widget', 'w3', '-o', 'jsonpath={.spec}']))).toEqual({
      size: 3,
      color: 'red',
    });

    // scale subresource
    await c.ok(['scale', 'widget', 'w1', '--replicas=5']);
    expect(await c.ok(['get', 'widget', 'w1', '-o', 'jsonpath={.spec.size}'])).toBe('5');
  });

  it('get --watch prints the update when it arrives', async () => {
    await c.ok(['create', 'configmap', 'watched', '--from-literal=v=one']);
    const child = c.spawn(['get', 'configmap', 'watched', '--watch', '-o', 'jsonpath={.data.v}{"\\n"}']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => out.includes('one'));
      await c.ok(['patch', 'configmap', 'watched', '--type=merge', '-p', '{"data":{"v":"two"}}']);
      await eventually(() => out.includes('two'));
      expect(out.trim().split('\n')).toEqual(['one', 'two']);
    } finally {
      child.kill();
    }
  });

  it('wait --for=condition=Ready returns once the status condition is set', async () => {
    const w = await manifest(
      c,
      'wready.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: wready}\nspec: {size: 1}\n',
    );
    await c.ok(['apply', '-f', w]);
    const waiting = c.kubectl(['wait', '--for=condition=Ready', 'widget/wready', '--timeout=30s']);
    await new Promise((r) => setTimeout(r, 300));
    await c.ok([
      'patch',
      'widget',
      'wready',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Done"}]}}',
    ]);
    const r = await waiting;
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('widget.example.com/wready condition met');
    const table = await c.ok(['get', 'widget', 'wready']);
    expect(table).toMatch(/wready\s+1\s+True/);
    // status writes do not bump generation
    expect(await c.ok(['get', 'widget', 'wready', '-o', 'jsonpath={.metadata.generation}'])).toBe('1');
  });

  it('patches (json, merge, strategic), labels and annotates', async () => {
    await c.ok([
      'patch',
      'configmap',
      'settings',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/data/extra","value":"x"}]',
    ]);
    await c.ok(['patch', 'configmap', 'settings', '--type=merge', '-p', '{"data":{"mode":null,"other":"y"}}']);
    expect(JSON.parse(await c.ok(['get', 'cm', 'settings', '-o', 'jsonpath={.data}']))).toEqual({
      extra: 'x',
      other: 'y',
    });
    // strategic merge patch merges containers by name, keeping the sidecar
    await c.ok([
      'patch',
      'deployment',
      'web',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}',
    ]);
    const containers = JSON.parse(
      await c.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers}']),
    ) as { name: string; image: string }[];
    expect(containers.map((x) => `${x.name}=${x.image}`)).toEqual(['nginx=nginx:1.27', 'sidecar=busybox:1.36']);
    // strategic merge patch is not allowed for custom resources
    const smp = await c.kubectl(['patch', 'widget', 'w1', '--type=strategic', '-p', '{"spec":{"size":2}}']);
    expect(smp.code).not.toBe(0);
    expect(smp.stderr).toContain(
      'application/strategic-merge-patch+json is not supported by example.com/v1, Kind=Widget',
    );
    await c.ok(['label', 'configmap', 'settings', 'team=a']);
    await c.ok(['annotate', 'configmap', 'settings', 'note=hello']);
    const m: unknown = JSON.parse(await c.ok(['get', 'cm', 'settings', '-o', 'jsonpath={.metadata}']));
    expect(at(m, 'labels')).toEqual({ team: 'a' });
    expect(at(m, 'annotations')).toMatchObject({ note: 'hello' });
    expect(await c.ok(['get', 'cm', '-l', 'team=a', '-o', 'name'])).toBe('configmap/settings\n');
    expect(await c.ok(['get', 'cm', '-l', 'team!=a', '-o', 'name'])).not.toContain('settings');
  });

  it('deletes with finalizers only once they are removed', async () => {
    const f = await manifest(
      c,
      'fin.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [example.com/hold]}\ndata: {a: b}\n',
    );
    await c.ok(['apply', '-f', f]);
    await c.ok(['delete', 'configmap', 'held', '--wait=false']);
    const m: unknown = JSON.parse(await c.ok(['get', 'cm', 'held', '-o', 'jsonpath={.metadata}']));
    expect(typeof at(m, 'deletionTimestamp')).toBe('string');
    expect(at(m, 'finalizers')).toEqual(['example.com/hold']);
    await c.ok(['patch', 'configmap', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const gone = await c.kubectl(['get', 'cm', 'held']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('configmaps "held" not found');
  });

  it('auth can-i --as a ServiceAccount follows RBAC', async () => {
    await c.ok(['create', 'namespace', 'tenant']);
    await eventually(async () => (await c.kubectl(['get', 'sa', 'default', '-n', 'tenant'])).code === 0);
    const before = await c.kubectl([
      'auth',
      'can-i',
      'list',
      'configmaps',
      '-n',
      'tenant',
      '--as=system:serviceaccount:tenant:default',
    ]);
    expect(before.stdout.trim()).toBe('no');
    await c.ok([
      'create',
      'rolebinding',
      'viewers',
      '--clusterrole=view',
      '--serviceaccount=tenant:default',
      '-n',
      'tenant',
    ]);
    const after = await c.kubectl([
      'auth',
      'can-i',
      'list',
      'configmaps',
      '-n',
      'tenant',
      '--as=system:serviceaccount:tenant:default',
    ]);
    expect(after.stdout.trim()).toBe('yes');
    const other = await c.kubectl([
      'auth',
      'can-i',
      'list',
      'configmaps',
      '-n',
      'default',
      '--as=system:serviceaccount:tenant:default',
    ]);
    expect(other.stdout.trim()).toBe('no');
    const denied = await c.kubectl(['get', 'configmaps', '-n', 'default', '--as=system:serviceaccount:tenant:default']);
    expect(denied.stderr).toContain(
      'Error from server (Forbidden): configmaps is forbidden: User "system:serviceaccount:tenant:default" cannot list resource "configmaps" in API group "" in the namespace "default"',
    );
  });

  it('issues ServiceAccount tokens (TokenRequest) that authenticate and are revoked with the ServiceAccount', async () => {
    await c.ok(['create', 'serviceaccount', 'bot']);
    await c.ok(['create', 'rolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=default:bot']);
    const token = (await c.ok(['create', 'token', 'bot', '--duration=1h'])).trim();
    expect(await c.ok(['auth', 'whoami', '--token', token, '-o', 'jsonpath={.status.userInfo.username}'])).toBe(
      'system:serviceaccount:default:bot',
    );
    expect((await c.kubectl(['get', 'cm', 'settings', '--token', token])).code).toBe(0);
    expect((await c.kubectl(['get', 'secrets', '--token', token])).stderr).toContain('cannot list resource "secrets"');
    await c.ok(['delete', 'serviceaccount', 'bot']);
    expect((await c.kubectl(['get', 'cm', '--token', token])).stderr).toContain('Unauthorized');
  });

  it('server-side apply: a second manager conflicts without --force-conflicts and wins with it', async () => {
    const base = (replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ssa}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ssa}}
  template:
    metadata: {labels: {app: ssa}}
    spec:
      containers: [{name: c, image: busybox:1}]
`;
    const a = await manifest(c, 'ssa-a.yaml', base(2));
    expect(await c.ok(['apply', '--server-side', '-f', a])).toContain('deployment.apps/ssa serverside-applied');
    const b = await manifest(c, 'ssa-b.yaml', base(5));
    const conflict = await c.kubectl(['apply', '--server-side', '--field-manager=other', '-f', b]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    expect(await c.ok(['get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
    await c.ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', b]);
    expect(await c.ok(['get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
    const mf = JSON.parse(
      await c.ok(['get', 'deploy', 'ssa', '-o', 'jsonpath={.metadata.managedFields}', '--show-managed-fields']),
    ) as { manager: string; operation: string; fieldsV1: unknown }[];
    const kubectlEntry = mf.find((e) => e.manager === 'kubectl');
    const otherEntry = mf.find((e) => e.manager === 'other');
    expect(otherEntry?.operation).toBe('Apply');
    expect(at(otherEntry?.fieldsV1, ['f:spec', 'f:replicas'])).toEqual({});
    expect(at(kubectlEntry?.fieldsV1, ['f:spec', 'f:replicas'])).toBeUndefined();

    // server-side apply of a CR with a list-map, dropping a field removes it
    const cr = (ports: string): string =>
      `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ssa-w}\nspec:\n  size: 2\n  ports: [${ports}]\n`;
    await c.ok([
      'apply',
      '--server-side',
      '-f',
      await manifest(c, 'ssaw1.yaml', cr('{name: http, port: 80}, {name: grpc, port: "9090"}')),
    ]);
    await c.ok(['apply', '--server-side', '-f', await manifest(c, 'ssaw2.yaml', cr('{name: http, port: 8080}'))]);
    expect(JSON.parse(await c.ok(['get', 'widget', 'ssa-w', '-o', 'jsonpath={.spec.ports}']))).toEqual([
      { name: 'http', port: 8080 },
    ]);
  });

  it('upgrades client-side apply to server-side apply (managedFields migration) without warnings', async () => {
    const f = await manifest(c, 'csa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csa}\ndata: {a: "1"}\n');
    await c.ok(['apply', '-f', f]);
    const r = await c.kubectl(['apply', '--server-side', '-f', f]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('configmap/csa serverside-applied');
    const managers = await c.ok([
      'get',
      'cm',
      'csa',
      '--show-managed-fields',
      '-o',
      'jsonpath={.metadata.managedFields[*].manager}',
    ]);
    expect(managers.split(' ')).not.toContain('kubectl-client-side-apply');
    expect(managers.split(' ')).toContain('kubectl');
  });

  it('dry-run=server does not persist', async () => {
    const f = await manifest(c, 'dry.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}\ndata: {a: b}\n');
    expect(await c.ok(['apply', '--dry-run=server', '-f', f])).toContain('configmap/dry created (server dry run)');
    expect((await c.kubectl(['get', 'cm', 'dry'])).code).not.toBe(0);
  });

  it('garbage-collects dependents in background and foreground', async () => {
    const uid = await c.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.uid}']);
    const dep = (name: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: ${uid}, blockOwnerDeletion: true}]\n`;
    await c.ok(['apply', '-f', await manifest(c, 'dep1.yaml', dep('child-1'))]);
    await c.ok(['delete', 'deployment', 'web', '--cascade=foreground']);
    expect((await c.kubectl(['get', 'deploy', 'web'])).code).not.toBe(0);
    expect((await c.kubectl(['get', 'cm', 'child-1'])).code).not.toBe(0);

    const uid2 = await c.ok(['get', 'deploy', 'ssa', '-o', 'jsonpath={.metadata.uid}']);
    await c.ok([
      'apply',
      '-f',
      await manifest(c, 'dep2.yaml', dep('child-2').replace(uid, uid2).replace('name: web', 'name: ssa')),
    ]);
    await c.ok(['delete', 'deployment', 'ssa']);
    await eventually(async () => (await c.kubectl(['get', 'cm', 'child-2'])).code !== 0);
  });

  it('kubectl 1.27 (aggregated discovery v2beta1) applies, prints and checks access', async () => {
    const k = (args: string[]) => c.kubectl(['--cache-dir', join(c.dir, 'cache-127'), ...args], { bin: KUBECTL_127 });
    const f = await manifest(
      c,
      'old.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: old}\nspec: {size: 2}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: old}\ndata: {a: b}\n',
    );
    const applied = await k(['apply', '-f', f]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('widget.example.com/old created');
    expect((await k(['get', 'wd', 'old'])).stdout).toMatch(/old\s+2\s+/);
    expect((await k(['apply', '--server-side', '-f', f])).stdout).toContain('configmap/old serverside-applied');
    expect(
      (
        await k(['auth', 'can-i', 'list', 'configmaps', '-n', 'tenant', '--as=system:serviceaccount:tenant:default'])
      ).stdout.trim(),
    ).toBe('yes');
  });

  it('kubectl create/run send protobuf bodies the server decodes', async () => {
    await c.ok(['create', 'namespace', 'pb']);
    await c.ok(['run', 'web', '--image=nginx:1', '--labels=app=web', '--env=A=b', '-n', 'pb']);
    await c.ok(['create', 'deployment', 'dep', '--image=nginx:1', '--replicas=2', '-n', 'pb']);
    await c.ok(['create', 'job', 'once', '--image=busybox', '-n', 'pb', '--', 'echo', 'hi']);
    await c.ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '-n', 'pb', '--', 'date']);
    await c.ok(['create', 'service', 'clusterip', 'svc', '--tcp=80:8080', '-n', 'pb']);
    await c.ok(['create', 'ingress', 'ing', '--rule=a.example.com/=svc:80', '-n', 'pb']);
    await c.ok(['create', 'secret', 'generic', 'sec', '--from-literal=k=v', '-n', 'pb']);
    await c.ok(['create', 'quota', 'q', '--hard=pods=2', '-n', 'pb']);
    await c.ok(['create', 'priorityclass', 'high', '--value=1000']);
    expect(
      JSON.parse(await c.ok(['get', 'pod', 'web', '-n', 'pb', '-o', 'jsonpath={.spec.containers[0]}'])),
    ).toMatchObject({ name: 'web', image: 'nginx:1', env: [{ name: 'A', value: 'b' }] });
    expect(await c.ok(['get', 'deploy', 'dep', '-n', 'pb', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
    expect(
      await c.ok(['get', 'job', 'once', '-n', 'pb', '-o', 'jsonpath={.spec.template.spec.containers[0].command}']),
    ).toBe('["echo","hi"]');
    expect(await c.ok(['get', 'cronjob', 'tick', '-n', 'pb', '-o', 'jsonpath={.spec.schedule}'])).toBe('*/5 * * * *');
    expect(await c.ok(['get', 'svc', 'svc', '-n', 'pb', '-o', 'jsonpath={.spec.ports[0].targetPort}'])).toBe('8080');
    expect(
      await c.ok([
        'get',
        'ingress',
        'ing',
        '-n',
        'pb',
        '-o',
        'jsonpath={.spec.rules[0].http.paths[0].backend.service}',
      ]),
    ).toBe('{"name":"svc","port":{"number":80}}');
    expect(await c.ok(['get', 'secret', 'sec', '-n', 'pb', '-o', 'jsonpath={.data.k}'])).toBe('dg==');
    expect(await c.ok(['get', 'quota', 'q', '-n', 'pb', '-o', 'jsonpath={.spec.hard.pods}'])).toBe('2');
    expect(await c.ok(['get', 'priorityclass', 'high', '-o', 'jsonpath={.value}'])).toBe('1000');
  });

  it('applies every kind of the built-in table and prints it with its columns', async () => {
    const f = join(import.meta.dirname, 'testing', 'fixtures', 'builtin-kinds.yaml');
    const out = await c.ok(['apply', '-f', f]);
    expect(out.trim().split('\n')).toHaveLength(18);
    const again = await c.ok(['apply', '--server-side', '--force-conflicts', '-f', f]);
    expect(
      again
        .trim()
        .split('\n')
        .every((l) => l.endsWith('serverside-applied')),
    ).toBe(true);
    const table = await c.ok(['get', 'sts,ds,job,cj,ing,netpol,pvc,sc,lease,rolebinding,hpa,pod,pdb']);
    expect(table).toMatch(/statefulset\.apps\/sts1\s+0\/1/);
    expect(table).toMatch(/cronjob\.batch\/cj1\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0/);
    expect(table).toMatch(/ingress\.networking\.k8s\.io\/ing1\s+<none>\s+a\.example\.com/);
    expect(table).toMatch(/rolebinding\.rbac\.authorization\.k8s\.io\/rb1\s+Role\/r1/);
    expect(table).toMatch(/horizontalpodautoscaler\.autoscaling\/hpa1\s+Deployment\/web\s+1\s+3/);
    expect(await c.ok(['get', 'secret', 's1', '-o', 'jsonpath={.data.password}'])).toBe(
      Buffer.from('hunter2').toString('base64'),
    );
    expect(
      (await c.kubectl(['auth', 'can-i', 'list', 'pods', '--as=system:serviceaccount:default:sa1'])).stdout.trim(),
    ).toBe('yes');
  });

  it('deleting a namespace deletes its content', async () => {
    await c.ok(['create', 'namespace', 'doomed']);
    await c.ok(['create', 'configmap', 'a', '-n', 'doomed']);
    await c.ok(['delete', 'namespace', 'doomed']);
    await eventually(async () => (await c.kubectl(['get', 'namespace', 'doomed'])).code !== 0);
    expect(await c.ok(['get', 'cm', '-n', 'doomed', '-o', 'name'])).toBe('');
  });
});
