/**
 * Port of kubernetes/kubernetes test/cmd/core.sh: run_configmap_tests, run_pod_tests (the parts before
 * `kubectl replace`), run_rc_tests (create, scale, expose, get all) and the ReplicationController defaulting checks,
 * same commands and expected values.
 *
 * Dropped cases:
 * - kube::test::describe_*_events_assert and describe_resource_chunk_size_assert: they grep kubectl's -v=6 request
 *   log for events calls that need a kubelet-fed event stream to mean anything.
 * - HPAs are read as `horizontalpodautoscalers.v1.autoscaling` where core.sh reads `hpa` with test.sh's
 *   `hpa_cpu_field` (`.spec.targetCPUUtilizationPercentage`, a v1 field): kubectl 1.32 maps the `hpa` short name to
 *   the preferred version, autoscaling/v2 since Kubernetes 1.26.
 * - the pod with secret/configmap/downward-API env (describe output), `kubectl create --edit` with
 *   multi-resource-json/list fixtures: not ported yet (time).
 * - rc tests that wait for pods of the ReplicationController (`rc frontend` leaks no pods, rolling-update): no
 *   replication-controller controller runs in this server.
 * - `kubectl edit --windows-line-endings … | file -` greps `CRLF` from file(1); the port looks for `\r\n` itself.
 * - run_service_tests and what follows in core.sh (namespaces, PV/PVC, storage classes, nodes…): not ported yet
 *   (time); run_service_tests also expects the `kubernetes` Service kube-apiserver publishes in `default`, which
 *   this server does not create.
 * - run_secrets_test: hack/testdata/tls.key and tls.crt are a self-signed pair made with openssl for the run.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATIONS, fixture, ID, ifHasNotString, ifHasString, LABELS, startCmdEnv, type CmdEnv } from './harness.ts';

const execFileAsync = promisify(execFile);
const PODS = `{{range.items}}{{${ID}}}:{{end}}`;
const IMAGE = '(index .spec.containers 0).image';
const RC_REPLICAS = '.spec.replicas';
const PORT_NAME = '(index .spec.ports 0).name';
const PORT = '(index .spec.ports 0).port';
const HPA_V1 = 'horizontalpodautoscalers.v1.autoscaling frontend';
const HPA_FIELDS = '{{.spec.minReplicas}} {{.spec.maxReplicas}} {{.spec.targetCPUUtilizationPercentage}}';

describe('test/cmd/core.sh', () => {
  let k: CmdEnv;
  beforeAll(async () => {
    k = await startCmdEnv();
  }, 30_000);
  afterAll(() => k.stop());

  it('run_configmap_tests', async () => {
    await k.useNewNamespace();
    await k.ok(['create', '-f', fixture('configmap.yaml')]);
    await k.getObjectAssert('configmap/test-configmap', `{{${ID}}}`, 'test-configmap');
    await k.ok(['delete', 'configmap', 'test-configmap']);

    await k.getObjectAssert(
      'namespaces',
      `{{range.items}}{{ if eq ${ID} "test-configmaps" }}found{{end}}{{end}}:`,
      ':',
    );
    await k.ok(['create', 'namespace', 'test-configmaps']);
    await k.getObjectAssert('namespaces/test-configmaps', `{{${ID}}}`, 'test-configmaps');
    const found = (name: string): string => `{{range.items}}{{ if eq ${ID} "${name}" }}found{{end}}{{end}}:`;
    await k.getObjectAssert('configmaps', found('test-configmap'), ':');
    await k.getObjectAssert('configmaps', found('test-binary-configmap'), ':');
    const create = [
      'create',
      'configmap',
      'test-configmap',
      '--from-literal=key1=value1',
      '--namespace=test-configmaps',
    ];
    await k.ok([...create, '--dry-run=client']);
    await k.ok([...create, '--dry-run=server']);
    await k.getObjectAssert('configmaps', found('test-configmap'), ':');
    await k.ok(create);
    const dir = await mkdtemp(join(tmpdir(), 'kubectl-cmd-'));
    const random = join(dir, 'random');
    await writeFile(random, randomBytes(256));
    await k.ok(['create', 'configmap', 'test-binary-configmap', '--from-file', random, '--namespace=test-configmaps']);
    await k.getObjectAssert('configmap/test-configmap --namespace=test-configmaps', `{{${ID}}}`, 'test-configmap');
    await k.getObjectAssert(
      'configmap/test-binary-configmap --namespace=test-configmaps',
      `{{${ID}}}`,
      'test-binary-configmap',
    );
    ifHasString(
      await k.ok(['get', 'configmap/test-configmap', '--namespace=test-configmaps', '-o', 'yaml']),
      'key1: value1',
    );
    ifHasString(
      await k.ok(['get', 'configmap/test-binary-configmap', '--namespace=test-configmaps', '-o', 'yaml']),
      'binaryData',
    );
    await k.ok(['delete', 'configmap', 'test-configmap', '--namespace=test-configmaps']);
    await k.ok(['delete', 'configmap', 'test-binary-configmap', '--namespace=test-configmaps']);
    await k.ok(['delete', 'namespace', 'test-configmaps']);
  }, 30_000);

  it('run_pod_tests: create, get and delete valid-pod', async () => {
    await k.useNewNamespace();
    await k.getObjectAssert('pods', PODS, '');
    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.ok(['get', 'pods', '-o', 'json']);
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.getObjectAssert('pod valid-pod', `{{${ID}}}`, 'valid-pod');
    await k.getObjectAssert('pod/valid-pod', `{{${ID}}}`, 'valid-pod');
    await k.getObjectAssert('pods/valid-pod', `{{${ID}}}`, 'valid-pod');
    const managers = await k.ok([
      'get',
      '--show-managed-fields',
      '-f',
      fixture('valid-pod.yaml'),
      '-o=jsonpath={.metadata.managedFields[*].manager}',
    ]);
    ifHasString(managers, 'kubectl-create');
    await k.getObjectJsonpathAssert('pods', `{.items[*]${ID}}`, 'valid-pod');
    await k.getObjectJsonpathAssert('pod valid-pod', `{${ID}}`, 'valid-pod');
    await k.getObjectJsonpathAssert('pod/valid-pod', `{${ID}}`, 'valid-pod');
    await k.getObjectJsonpathAssert('pods/valid-pod', `{${ID}}`, 'valid-pod');
    // kube::test::describe_object_assert pods 'valid-pod' "Name:" "Image:" "Node:" "Labels:" "Status:"
    const described = await k.ok(['describe', 'pods', 'valid-pod']);
    for (const s of ['Name:', 'Image:', 'Node:', 'Labels:', 'Status:']) ifHasString(described, s);

    const outputPod = await k.ok(['get', 'pod', 'valid-pod', '-o', 'yaml']);
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.ok(['delete', 'pod', 'valid-pod', '--grace-period=0', '--force']);
    await k.getObjectAssert('pods', PODS, '');

    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.ok(['delete', 'pod', 'valid-pod', '--now']);
    await k.getObjectAssert('pods', PODS, '');

    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.ok(['delete', 'pod', 'valid-pod', '--grace-period=0']);
    await k.getObjectAssert('pods', PODS, '');

    // Create POD valid-pod from dumped YAML (sed '/namespace:/d')
    await k.useNewNamespace();
    await k.getObjectAssert('pods', PODS, '');
    const dumped = outputPod
      .split('\n')
      .filter((l) => !l.includes('namespace:'))
      .join('\n');
    await k.ok(['create', '-f', '-'], { stdin: dumped });
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.ok(['delete', '-f', fixture('valid-pod.yaml'), '--grace-period=0', '--force']);
    await k.getObjectAssert('pods', PODS, '');

    await k.useNewNamespace();
    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.getObjectAssert("pods -l'name in (valid-pod)'", PODS, 'valid-pod:');
    await k.ok(['delete', 'pods', '-lname in (valid-pod)', '--grace-period=0', '--force']);
    await k.getObjectAssert("pods -l'name in (valid-pod)'", PODS, '');
  }, 30_000);

  it('run_pod_tests: field selectors (status.phase of a new pod), delete guards, delete --all', async () => {
    await k.useNewNamespace();
    await k.getObjectAssert('pods', PODS, '');
    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    ifHasString(await k.ok(['get', 'pods', '--field-selector', 'metadata.name=valid-pod']), 'valid-pod');
    const phase = await k.ok(['get', 'pod', 'valid-pod', '-o', 'go-template={{ .status.phase }}']);
    ifHasString(await k.ok(['get', 'pods', '--field-selector', `status.phase=${phase}`]), 'valid-pod');

    await k.fail(['delete', 'pods']);
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.fail(['delete', '--all', 'pods', '-lname in (valid-pod)']);
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.ok(['delete', '--all', 'pods', '--grace-period=0', '--force']);
    await k.getObjectAssert("pods -l'name in (valid-pod)'", PODS, '');
  }, 30_000);

  it('run_pod_tests: secrets, configmaps and priority classes (dry-run and create)', async () => {
    const ns = '--namespace=test-kubectl-describe-pod';
    await k.getObjectAssert(
      'namespaces',
      `{{range.items}}{{ if eq ${ID} "test-kubectl-describe-pod" }}found{{end}}{{end}}:`,
      ':',
    );
    await k.ok(['create', 'namespace', 'test-kubectl-describe-pod']);
    await k.getObjectAssert('namespaces/test-kubectl-describe-pod', `{{${ID}}}`, 'test-kubectl-describe-pod');
    await k.getObjectAssert(`secrets ${ns}`, PODS, '');
    const secret = [
      'create',
      'secret',
      'generic',
      'test-secret',
      '--from-literal=key-1=value1',
      '--type=test-type',
      ns,
    ];
    await k.ok([...secret, '--dry-run=client']);
    await k.ok([...secret, '--dry-run=server']);
    await k.getObjectAssert(`secrets ${ns}`, PODS, '');
    await k.ok(secret);
    await k.getObjectAssert(`secret/test-secret ${ns}`, `{{${ID}}}`, 'test-secret');
    await k.getObjectAssert(`secret/test-secret ${ns}`, '{{.type}}', 'test-type');
    await k.getObjectAssert(
      `configmaps ${ns}`,
      `{{range.items}}{{ if eq ${ID} "test-configmap" }}found{{end}}{{end}}:`,
      ':',
    );
    await k.ok(['create', 'configmap', 'test-configmap', '--from-literal=key-2=value2', ns]);
    await k.getObjectAssert(`configmap/test-configmap ${ns}`, `{{${ID}}}`, 'test-configmap');

    const pdb1 = `{{range.items}}{{ if eq ${ID} "test-pdb-1" }}found{{end}}{{end}}:`;
    await k.getObjectAssert(`pdb ${ns}`, pdb1, ':');
    const createPdb1 = ['create', 'pdb', 'test-pdb-1', '--selector=app=rails', '--min-available=2', ns];
    await k.ok([...createPdb1.slice(0, 3), '--dry-run=client', ...createPdb1.slice(3)]);
    await k.ok([...createPdb1.slice(0, 3), '--dry-run=server', ...createPdb1.slice(3)]);
    await k.getObjectAssert(`pdb ${ns}`, pdb1, ':');
    await k.ok(createPdb1);
    await k.getObjectAssert(`pdb/test-pdb-1 ${ns}`, '{{.spec.minAvailable}}', '2');
    await k.ok(['create', 'pdb', 'test-pdb-2', '--selector=app=rails', '--min-available=50%', ns]);
    await k.getObjectAssert(`pdb/test-pdb-2 ${ns}`, '{{.spec.minAvailable}}', '50%');
    await k.ok(['create', 'pdb', 'test-pdb-3', '--selector=app=rails', '--max-unavailable=2', ns]);
    await k.getObjectAssert(`pdb/test-pdb-3 ${ns}`, '{{.spec.maxUnavailable}}', '2');
    await k.ok(['create', 'pdb', 'test-pdb-4', '--selector=app=rails', '--max-unavailable=50%', ns]);
    await k.getObjectAssert(`pdb/test-pdb-4 ${ns}`, '{{.spec.maxUnavailable}}', '50%');
    await k.fail(['create', 'pdb', 'test-pdb', '--selector=app=rails', '--min-available=2', '--max-unavailable=3', ns]);

    await k.ok(['delete', 'secret', 'test-secret', ns]);
    await k.ok(['delete', 'configmap', 'test-configmap', ns]);
    await k.ok(['delete', 'pdb/test-pdb-1', 'pdb/test-pdb-2', 'pdb/test-pdb-3', 'pdb/test-pdb-4', ns]);
    await k.ok(['delete', 'namespace', 'test-kubectl-describe-pod']);

    const pc = `{{range.items}}{{ if eq ${ID} "test-priorityclass" }}found{{end}}{{end}}:`;
    await k.getObjectAssert('priorityclasses', pc, ':');
    await k.ok(['create', 'priorityclass', 'test-priorityclass', '--dry-run=client']);
    await k.ok(['create', 'priorityclass', 'test-priorityclass', '--dry-run=server']);
    await k.getObjectAssert('priorityclasses', pc, ':');
    await k.ok(['create', 'priorityclass', 'test-priorityclass']);
    await k.getObjectAssert('priorityclasses', pc, 'found:');
    await k.ok(['delete', 'priorityclass', 'test-priorityclass']);
  }, 30_000);

  it('run_pod_tests: two pods, label, annotate and record', async () => {
    await k.useNewNamespace();
    await k.getObjectAssert('pods', PODS, '');
    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.ok(['create', '-f', fixture('agnhost-primary-pod.yaml')]);
    await k.getObjectAssert('pods', PODS, 'agnhost-primary:valid-pod:');
    await k.ok(['delete', 'pods', 'valid-pod', 'agnhost-primary', '--grace-period=0', '--force']);
    await k.getObjectAssert('pods', PODS, '');

    await k.useNewNamespace();
    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.getObjectAssert('pod valid-pod', `{{range${LABELS}}}{{.}}:{{end}}`, 'valid-pod:');
    await k.ok(['label', 'pods', 'valid-pod', 'new-name=new-valid-pod', '--dry-run=client']);
    await k.ok(['label', 'pods', 'valid-pod', 'new-name=new-valid-pod', '--dry-run=server']);
    await k.getObjectAssert('pod valid-pod', `{{range${LABELS}}}{{.}}:{{end}}`, 'valid-pod:');
    await k.ok(['label', 'pods', 'valid-pod', 'new-name=new-valid-pod']);
    await k.getObjectAssert('pod valid-pod', `{{range${LABELS}}}{{.}}:{{end}}`, 'valid-pod:new-valid-pod:');
    await k.ok(['label', 'pods', 'valid-pod', 'emptylabel=']);
    await k.getObjectAssert('pod valid-pod', `{{${LABELS}.emptylabel}}`, '');

    await k.getObjectAssert('pod valid-pod', `{{${ANNOTATIONS}.emptyannotation}}`, '<no value>');
    await k.ok(['annotate', 'pods', 'valid-pod', 'emptyannotation=', '--dry-run=client']);
    await k.ok(['annotate', 'pods', 'valid-pod', 'emptyannotation=', '--dry-run=server']);
    await k.getObjectAssert('pod valid-pod', `{{${ANNOTATIONS}.emptyannotation}}`, '<no value>');
    await k.ok(['annotate', 'pods', 'valid-pod', 'emptyannotation=']);
    await k.getObjectAssert('pod valid-pod', `{{${ANNOTATIONS}.emptyannotation}}`, '');
    ifHasString(
      await k.ok(['get', 'pod', 'valid-pod', '-o=jsonpath={.metadata.managedFields[*].manager}']),
      'kubectl-annotate',
    );

    await k.getObjectAssert('pod valid-pod', `{{range.items}}{{${ANNOTATIONS}}}:{{end}}`, '');
    await k.ok(['label', 'pods', 'valid-pod', 'record-change=true', '--record=true']);
    await k.getObjectAssert('pod valid-pod', `{{range${ANNOTATIONS}}}{{.}}:{{end}}`, '.*--record=true.*');
    ifHasString(
      await k.ok(['get', 'pod', 'valid-pod', '-o=jsonpath={.metadata.managedFields[*].manager}']),
      'kubectl-label',
    );
    await k.ok(['label', 'pods', 'valid-pod', 'no-record-change=true', '--record=false']);
    await k.getObjectAssert('pod valid-pod', `{{range${ANNOTATIONS}}}{{.}}:{{end}}`, '.*--record=true.*');
    await k.ok(['label', 'pods', 'valid-pod', 'new-record-change=true', '--record=true']);
    await k.getObjectAssert('pod valid-pod', `{{range${ANNOTATIONS}}}{{.}}:{{end}}`, '.*new-record-change=true.*');

    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.ok(['delete', 'pods', '-lnew-name=new-valid-pod', '--grace-period=0', '--force']);
    await k.getObjectAssert('pods', PODS, '');
  }, 30_000);

  it('run_pod_tests: pod-with-precision, annotate --local', async () => {
    await k.getObjectAssert('pods', PODS, '');
    await k.ok(['create', '-f', fixture('pod-with-precision.json')]);
    await k.getObjectAssert('pods', PODS, 'pod-with-precision:');
    await k.ok(['patch', 'pod', 'pod-with-precision', '-p={"metadata":{"annotations":{"patchkey": "patchvalue"}}}']);
    await k.getObjectAssert('pod pod-with-precision', `{{${ANNOTATIONS}.patchkey}}`, 'patchvalue');
    await k.ok(['label', 'pods', 'pod-with-precision', 'labelkey=labelvalue']);
    await k.getObjectAssert('pod pod-with-precision', `{{${LABELS}.labelkey}}`, 'labelvalue');
    await k.ok(['annotate', 'pods', 'pod-with-precision', 'annotatekey=annotatevalue']);
    await k.getObjectAssert('pod pod-with-precision', `{{${ANNOTATIONS}.annotatekey}}`, 'annotatevalue');
    await k.ok(['delete', 'pod', 'pod-with-precision']);

    await k.ok(['create', '-f', fixture('pod.yaml')]);
    await k.ok(['annotate', '-f', fixture('pod.yaml'), 'annotatekey=annotatevalue']);
    await k.getObjectAssert('pod test-pod', `{{${ANNOTATIONS}.annotatekey}}`, 'annotatevalue');
    const local = await k.ok([
      'annotate',
      '--local',
      '-f',
      fixture('pod.yaml'),
      'annotatekey=localvalue',
      '-o',
      'yaml',
    ]);
    await k.getObjectAssert('pod test-pod', `{{${ANNOTATIONS}.annotatekey}}`, 'annotatevalue');
    ifHasString(local, 'localvalue');
    await k.ok(['delete', '-f', fixture('pod.yaml')]);
  }, 30_000);

  it('run_pod_tests: patch (local, type restore error, no change, image by strategic, json and yaml patches)', async () => {
    await k.waitObjectAssert('pods', PODS, '');
    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    ifHasString(
      await k.ok([
        'patch',
        '--local',
        '-f',
        fixture('valid-pod.yaml'),
        '--patch={"spec": {"restartPolicy":"Never"}}',
        '-o',
        'yaml',
      ]),
      'Never',
    );
    ifHasString(
      await k.fail(['patch', 'pod', 'valid-pod', '-p={"metadata":{"labels":"invalid"}}']),
      'cannot restore map from string',
    );
    ifHasString(
      await k.ok(['patch', 'pod', 'valid-pod', '-p={"metadata":{"labels":{"name":"valid-pod"}}}']),
      'patched \\(no change\\)',
    );
    await k.ok([
      'patch',
      'pod',
      'valid-pod',
      '--record',
      '-p={"spec":{"containers":[{"name": "kubernetes-serve-hostname", "image": "nginx"}]}}',
    ]);
    await k.getObjectAssert('pods', `{{range.items}}{{${IMAGE}}}:{{end}}`, 'nginx:');
    await k.getObjectAssert('pods', `{{range.items}}{{${ANNOTATIONS}}}:{{end}}`, '.*kubernetes.io/change-cause.*');
    await k.ok([
      'patch',
      'pod',
      'valid-pod',
      '--type=json',
      '-p=[{"op": "replace", "path": "/spec/containers/0/image", "value":"nginx2"}]',
    ]);
    await k.getObjectAssert('pods', `{{range.items}}{{${IMAGE}}}:{{end}}`, 'nginx2:');
    await k.ok([
      'patch',
      'pod',
      'valid-pod',
      '--type=json',
      '-p=[{"op": "replace", "path": "/spec/containers/0/image", "value":"nginx"}]',
    ]);
    await k.getObjectAssert('pods', `{{range.items}}{{${IMAGE}}}:{{end}}`, 'nginx:');
    const notNginx = '-p={"spec":{"containers":[{"name": "kubernetes-serve-hostname", "image": "not-nginx"}]}}';
    await k.ok(['patch', 'pod', 'valid-pod', '--record', '--dry-run=client', notNginx]);
    await k.ok(['patch', 'pod', 'valid-pod', '--record', '--dry-run=server', notNginx]);
    await k.getObjectAssert('pods', `{{range.items}}{{${IMAGE}}}:{{end}}`, 'nginx:');
    const yamlPatch = 'spec:\n  containers:\n  - name: kubernetes-serve-hostname\n    image: changed-with-yaml\n';
    await k.ok(['patch', 'pod', 'valid-pod', `-p=${yamlPatch}`]);
    await k.getObjectAssert('pods', `{{range.items}}{{${IMAGE}}}:{{end}}`, 'changed-with-yaml:');
  }, 30_000);

  it('run_pod_tests: patch -f, resourceVersion preconditions, replace --force, edit, label --local and --overwrite', async () => {
    await k.ok([
      'patch',
      '-f',
      fixture('valid-pod.yaml'),
      '-p={"spec":{"containers":[{"name": "kubernetes-serve-hostname", "image": "k8s.gcr.io/pause:3.5"}]}}',
    ]);
    await k.getObjectAssert('pods', `{{range.items}}{{${IMAGE}}}:{{end}}`, 'k8s.gcr.io/pause:3.5:');
    ifHasString(
      await k.ok(['get', 'pod', 'valid-pod', '-o=jsonpath={.metadata.managedFields[*].manager}']),
      'kubectl-patch',
    );

    const withVersion = (rv: string): string =>
      `-p={"spec":{"containers":[{"name": "kubernetes-serve-hostname", "image": "nginx"}]},"metadata":{"resourceVersion":"${rv}"}}`;
    let rv = await k.ok(['get', 'pod', 'valid-pod', '-o', 'go-template={{ .metadata.resourceVersion }}']);
    await k.ok(['patch', 'pod', 'valid-pod', withVersion(rv)]);
    await k.getObjectAssert('pods', `{{range.items}}{{${IMAGE}}}:{{end}}`, 'nginx:');
    rv = await k.ok(['get', 'pod', 'valid-pod', '-o', 'go-template={{ .metadata.resourceVersion }}']);
    const conflict = await k.run(['patch', 'pod', 'valid-pod', withVersion(String(Number(rv) + 100))]);
    ifHasString(conflict.stderr, 'please apply your changes to the latest version and try again');

    const replaced = join(k.cluster.dir, 'tmp-valid-pod.json');
    const json = await k.ok(['get', 'pod', 'valid-pod', '-o', 'json']);
    await writeFile(replaced, json.replaceAll('"kubernetes-serve-hostname"', '"replaced-k8s-serve-hostname"'));
    await k.ok(['replace', '--force', '-f', replaced]);
    await k.getObjectAssert('pod valid-pod', '{{(index .spec.containers 0).name}}', 'replaced-k8s-serve-hostname');
    ifHasString(
      await k.ok(['get', 'pod', 'valid-pod', '-o=jsonpath={.metadata.managedFields[*].manager}']),
      'kubectl-replace',
    );
    ifHasString(
      await k.fail(['replace', '--grace-period=1', '-f', replaced]),
      '\\-\\-grace-period must have \\-\\-force specified',
    );
    ifHasString(
      await k.fail(['replace', '--timeout=1s', '-f', replaced]),
      '\\-\\-timeout must have \\-\\-force specified',
    );

    const node = (annotated: boolean): string =>
      JSON.stringify({
        kind: 'Node',
        apiVersion: 'v1',
        metadata: { name: 'node-v1-test', ...(annotated ? { annotations: { a: 'b' }, resourceVersion: '0' } : {}) },
      });
    await k.ok(['create', '-f', '-'], { stdin: node(false) });
    const noAnnotation = '{{range.items}}{{if .metadata.annotations.a}}found{{end}}{{end}}:';
    await k.getObjectAssert('node node-v1-test', noAnnotation, ':');
    await k.ok(['replace', '--dry-run=server', '-f', '-'], { stdin: node(true) });
    await k.ok(['replace', '--dry-run=client', '-f', '-'], { stdin: node(true) });
    await k.getObjectAssert('node node-v1-test', noAnnotation, ':');
    await k.ok(['replace', '-f', '-'], { stdin: node(true) });
    await k.getObjectAssert('node node-v1-test', '{{.metadata.annotations.a}}', 'b');
    await k.ok(['delete', 'node', 'node-v1-test']);

    // kubectl edit with a fake editor; the pod was replaced with another container name, so its image is set back
    await k.ok([
      'patch',
      'pod',
      'valid-pod',
      '--type=json',
      '-p=[{"op": "replace", "path": "/spec/containers/0/image", "value":"nginx"}]',
    ]);
    await k.getObjectAssert('pods', `{{range.items}}{{${IMAGE}}}:{{end}}`, 'nginx:');
    const editor = await k.sedEditor('s/nginx/k8s.gcr.io\\/serve_hostname/g');
    ifHasString(await k.ok(['edit', 'pods/valid-pod', '--output-patch=true'], { env: { EDITOR: editor } }), 'Patch:');
    await k.getObjectAssert('pods', `{{range.items}}{{${IMAGE}}}:{{end}}`, 'k8s.gcr.io/serve_hostname:');
    ifHasString(
      await k.ok(['get', 'pod', 'valid-pod', '-o=jsonpath={.metadata.managedFields[*].manager}']),
      'kubectl-edit',
    );
    ifHasString((await k.run(['edit', 'pod/valid-pod'], { env: { EDITOR: 'cat' } })).output, 'Edit cancelled');
    ifHasString((await k.run(['edit', 'pod/valid-pod'], { env: { EDITOR: 'cat' } })).stdout, 'name: valid-pod');
    ifHasString(
      (await k.run(['edit', '--windows-line-endings', 'pod/valid-pod'], { env: { EDITOR: 'cat' } })).stdout,
      '\\r\\n',
    );
    ifHasNotString(
      (await k.run(['edit', '--windows-line-endings=false', 'pod/valid-pod'], { env: { EDITOR: 'cat' } })).stdout,
      '\\r\\n',
    );
    ifHasString((await k.run(['edit', 'ns'], { env: { EDITOR: 'cat' } })).stdout, 'kind: List');

    await k.getObjectAssert('pod valid-pod', `{{${LABELS}.name}}`, 'valid-pod');
    const local = await k.ok([
      'label',
      '--local',
      '--overwrite',
      '-f',
      fixture('pod.yaml'),
      'name=localonlyvalue',
      '-o',
      'yaml',
    ]);
    await k.getObjectAssert('pod valid-pod', `{{${LABELS}.name}}`, 'valid-pod');
    ifHasString(local, 'localonlyvalue');
    await k.fail(['label', 'pods', 'valid-pod', 'name=valid-pod-super-sayan']);
    await k.getObjectAssert('pod valid-pod', `{{${LABELS}.name}}`, 'valid-pod');
    await k.ok(['label', '--overwrite', 'pods', '--all', 'name=valid-pod-super-sayan']);
    await k.getObjectAssert('pod valid-pod', `{{${LABELS}.name}}`, 'valid-pod-super-sayan');
    await k.getObjectAssert('pods', PODS, 'valid-pod:');
    await k.ok(['delete', 'pods', '-lname in (valid-pod-super-sayan)', '--grace-period=0', '--force']);
    await k.getObjectAssert('pods', PODS, '');
  }, 60_000);

  it('run_pod_tests: multi-pod files; apply annotations only after apply; run_create_secret_tests', async () => {
    await k.useNewNamespace();
    await k.getObjectAssert('pods', PODS, '');
    await k.ok(['create', '-f', fixture('multi-pod.yaml')]);
    await k.getObjectAssert('pods', PODS, 'redis-master:valid-pod:');
    await k.ok(['delete', '-f', fixture('multi-pod.yaml')]);
    await k.getObjectAssert('pods', PODS, '');

    await k.useNewNamespace();
    const LAST = 'kubectl.kubernetes.io/last-applied-configuration';
    const yamlOf = (): Promise<string> => k.ok(['get', 'pods', 'test-pod', '-o', 'yaml']);
    await k.ok(['create', '-f', fixture('pod.yaml')]);
    await k.getObjectAssert('pods test-pod', `{{${LABELS}.name}}`, 'test-pod-label');
    ifHasNotString(await yamlOf(), LAST);
    const replaceFile = join(k.cluster.dir, 'test-pod-replace.yaml');
    await writeFile(replaceFile, (await yamlOf()).replaceAll('test-pod-label', 'test-pod-replaced'));
    await k.ok(['replace', '-f', replaceFile]);
    await k.getObjectAssert('pods test-pod', `{{${LABELS}.name}}`, 'test-pod-replaced');
    ifHasNotString(await yamlOf(), LAST);
    await k.ok(['apply', '-f', fixture('pod-apply.yaml')]);
    await k.getObjectAssert('pods test-pod', `{{${LABELS}.name}}`, 'test-pod-applied');
    // core.sh compares the grep'd annotation lines with a check that cannot fail (`! [[ $(diff -q … > /dev/null) ]]`);
    // the port compares the annotation values, which `kubectl replace` rewrites when the annotation exists
    const annotation = (): Promise<string> =>
      k.ok([
        'get',
        'pods',
        'test-pod',
        '-o',
        'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}',
      ]);
    const applied = await annotation();
    await writeFile(replaceFile, (await yamlOf()).replaceAll('test-pod-applied', 'test-pod-replaced'));
    await k.ok(['replace', '-f', replaceFile]);
    await k.getObjectAssert('pods test-pod', `{{${LABELS}.name}}`, 'test-pod-replaced');
    ifHasString(await yamlOf(), LAST);
    const replacedAnnotation = await annotation();
    expect(replacedAnnotation).not.toBe(applied);
    ifHasString(replacedAnnotation, 'test-pod-replaced');
    await k.ok(['delete', 'pods', 'test-pod']);

    // run_create_secret_tests
    ifHasString(await k.fail(['get', 'secrets', 'mysecret']), 'secrets "mysecret" not found');
    ifHasString(
      await k.ok([
        'create',
        'secret',
        'generic',
        'mysecret',
        '--dry-run=client',
        '--from-literal=foo=bar',
        '-o',
        'jsonpath={.metadata.namespace}',
        '--namespace=user-specified',
      ]),
      'user-specified',
    );
    ifHasString(await k.fail(['get', 'secrets', 'mysecret']), 'secrets "mysecret" not found');
    expect(
      await k.ok([
        'create',
        'secret',
        'generic',
        'mysecret',
        '--dry-run=client',
        '--from-literal=foo=bar',
        '-o',
        'jsonpath={.metadata.namespace}',
      ]),
    ).toBe('');
    const cm = await k.ok(['create', 'configmap', 'tester-update-cm', '-o', 'json', '--dry-run=client']);
    await k.ok(['create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', '-'], { stdin: cm });
    const updated = await k.ok([
      'create',
      'configmap',
      'tester-update-cm',
      '--from-literal=key1=config1',
      '-o',
      'json',
      '--dry-run=client',
    ]);
    ifHasString(
      await k.ok(['replace', '--raw', '/api/v1/namespaces/default/configmaps/tester-update-cm', '-f', '-'], {
        stdin: updated,
      }),
      'uid',
    );
    ifHasString(await k.ok(['get', '--raw', '/api/v1/namespaces/default/configmaps/tester-update-cm']), 'config1');
    await k.ok(['delete', '--raw', '/api/v1/namespaces/default/configmaps/tester-update-cm']);
    ifHasString(
      await k.fail(['get', 'configmap', 'tester-update-cm', '-n', 'default']),
      'configmaps "tester-update-cm" not found',
    );
  }, 60_000);

  it('run_secrets_test', async () => {
    await k.useNewNamespace();
    let out = await k.ok([
      'create',
      'secret',
      'generic',
      'test',
      '--from-literal=key1=value1',
      '--dry-run=client',
      '-o',
      'yaml',
      '--server=example.com',
      '--v=6',
    ]);
    for (const s of ['kind: Secret', 'apiVersion: v1', 'key1: dmFsdWUx']) ifHasString(out, s);
    ifHasNotString(out, 'example.com');

    const ns = '--namespace=test-secrets';
    const none = `{{range.items}}{{${ID}}}:{{end}}`;
    await k.getObjectAssert('namespaces', `{{range.items}}{{ if eq ${ID} "test-secrets" }}found{{end}}{{end}}:`, ':');
    await k.ok(['create', 'namespace', 'test-secrets']);
    await k.getObjectAssert('namespaces/test-secrets', `{{${ID}}}`, 'test-secrets');
    await k.getObjectAssert(`secrets ${ns}`, none, '');
    await k.ok(['create', 'secret', 'generic', 'test-secret', '--from-literal=key1=value1', '--type=test-type', ns]);
    await k.getObjectAssert(`secret/test-secret ${ns}`, `{{${ID}}}`, 'test-secret');
    await k.getObjectAssert(`secret/test-secret ${ns}`, '{{.type}}', 'test-type');
    ifHasString(await k.ok(['get', 'secret/test-secret', ns, '-o', 'yaml']), 'key1: dmFsdWUx');
    await k.ok(['delete', 'secret', 'test-secret', ns]);

    await k.getObjectAssert(`secrets ${ns}`, none, '');
    await k.ok([
      'create',
      'secret',
      'docker-registry',
      'test-secret',
      '--docker-username=test-user',
      '--docker-password=test-password',
      '--docker-email=test-user@test.com',
      ns,
    ]);
    await k.getObjectAssert(`secret/test-secret ${ns}`, `{{${ID}}}`, 'test-secret');
    await k.getObjectAssert(`secret/test-secret ${ns}`, '{{.type}}', 'kubernetes.io/dockerconfigjson');
    ifHasString(
      await k.ok(['get', 'secret/test-secret', ns, '-o', 'yaml']),
      '.dockerconfigjson: eyJhdXRocyI6eyJodHRwczovL2luZGV4LmRvY2tlci5pby92MS8iOnsidXNlcm5hbWUiOiJ0ZXN0LXVzZXIiLCJwYXNzd29yZCI6InRlc3QtcGFzc3dvcmQiLCJlbWFpbCI6InRlc3QtdXNlckB0ZXN0LmNvbSIsImF1dGgiOiJkR1Z6ZEMxMWMyVnlPblJsYzNRdGNHRnpjM2R2Y21RPSJ9fX0=',
    );
    await k.ok(['delete', 'secret', 'test-secret', ns]);

    await k.getObjectAssert(`secrets ${ns}`, none, '');
    await k.ok([
      'create',
      'secret',
      'docker-registry',
      'test-secret',
      `--from-file=.dockerconfigjson=${fixture('dockerconfig')}`,
      ns,
    ]);
    await k.getObjectAssert(`secret/test-secret ${ns}`, `{{${ID}}}`, 'test-secret');
    await k.getObjectAssert(`secret/test-secret ${ns}`, '{{.type}}', 'kubernetes.io/dockerconfigjson');
    ifHasString(
      await k.ok(['get', 'secret/test-secret', ns, '-o', 'yaml']),
      '.dockerconfigjson: ewogICAgImF1dGhzIjp7CiAgICAgICAgImh0dHA6Ly9mb28uZXhhbXBsZS5jb20iOnsKICAgICAgICAgICAgInVzZXJuYW1lIjoiZm9vIiwKICAgICAgICAgICAgInBhc3N3b3JkIjoiYmFyIiwKICAgICAgICAgICAgImVtYWlsIjoiZm9vQGV4YW1wbGUuY29tIgogICAgICAgIH0sCiAgICAgICAgImh0dHA6Ly9iYXIuZXhhbXBsZS5jb20iOnsKICAgICAgICAgICAgInVzZXJuYW1lIjoiYmFyIiwKICAgICAgICAgICAgInBhc3N3b3JkIjoiYmF6IiwKICAgICAgICAgICAgImVtYWlsIjoiYmFyQGV4YW1wbGUuY29tIgogICAgICAgIH0KICAgIH0KfQo=',
    );
    await k.ok(['delete', 'secret', 'test-secret', ns]);

    // hack/testdata/tls.key and tls.crt: a self-signed pair made for the run
    await k.getObjectAssert(`secrets ${ns}`, none, '');
    const key = join(k.cluster.dir, 'tls.key');
    const crt = join(k.cluster.dir, 'tls.crt');
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-subj',
      '/CN=test-secret',
      '-days',
      '1',
    ]);
    await k.ok(['create', 'secret', 'tls', 'test-secret', ns, `--key=${key}`, `--cert=${crt}`]);
    await k.getObjectAssert(`secret/test-secret ${ns}`, `{{${ID}}}`, 'test-secret');
    await k.getObjectAssert(`secret/test-secret ${ns}`, '{{.type}}', 'kubernetes.io/tls');
    await k.ok(['delete', 'secret', 'test-secret', ns]);

    await k.ok(['create', ns, '-f', '-'], {
      stdin: JSON.stringify({
        kind: 'Secret',
        apiVersion: 'v1',
        metadata: { name: 'secret-string-data' },
        data: { k1: 'djE=', k2: '' },
        stringData: { k2: 'v2' },
      }),
    });
    await k.getObjectAssert(`secret/secret-string-data ${ns}`, '{{.data}}', '.*k1:djE=.*');
    await k.getObjectAssert(`secret/secret-string-data ${ns}`, '{{.data}}', '.*k2:djI=.*');
    await k.getObjectAssert(`secret/secret-string-data ${ns}`, '{{.stringData}}', '<no value>');
    await k.ok(['delete', 'secret', 'secret-string-data', ns]);

    await k.getObjectAssert(`secrets ${ns}`, none, '');
    out = await k.ok([
      'create',
      'secret',
      'generic',
      'test-secret',
      ns,
      '--from-literal=key1=value1',
      '--output=go-template',
      '--template={{.metadata.name}}:',
    ]);
    ifHasString(out, 'test-secret:');
    await k.ok(['delete', 'secret', 'test-secret', ns]);
    await k.ok(['delete', 'namespace', 'test-secrets']);
  }, 60_000);

  it('run_service_accounts_tests', async () => {
    await k.useNewNamespace();
    const ns = '--namespace=test-service-accounts';
    const found = `{{range.items}}{{ if eq ${ID} "test-service-account" }}found{{end}}{{end}}:`;
    await k.getObjectAssert(
      'namespaces',
      `{{range.items}}{{ if eq ${ID} "test-service-accounts" }}found{{end}}{{end}}:`,
      ':',
    );
    await k.ok(['create', 'namespace', 'test-service-accounts']);
    await k.getObjectAssert('namespaces/test-service-accounts', `{{${ID}}}`, 'test-service-accounts');
    await k.getObjectAssert(`serviceaccount ${ns}`, found, ':');
    await k.ok(['create', 'serviceaccount', 'test-service-account', '--dry-run=client', ns]);
    await k.ok(['create', 'serviceaccount', 'test-service-account', '--dry-run=server', ns]);
    await k.getObjectAssert(`serviceaccount ${ns}`, found, ':');
    await k.ok(['create', 'serviceaccount', 'test-service-account', ns]);
    await k.getObjectAssert(`serviceaccount/test-service-account ${ns}`, `{{${ID}}}`, 'test-service-account');
    await k.ok(['delete', 'serviceaccount', 'test-service-account', ns]);
    await k.ok(['delete', 'namespace', 'test-service-accounts']);
  }, 30_000);

  it('run_rc_tests: create, scale, expose and get all with a ReplicationController', async () => {
    await k.useNewNamespace();
    await k.ok(['create', '-f', fixture('frontend-controller.yaml')]);
    await k.getObjectAssert('rc', PODS, 'frontend:');
    const described = await k.ok(['describe', 'rc', 'frontend']);
    for (const s of [
      'Name:',
      'Pod Template:',
      'Labels:',
      'Selector:',
      'Replicas:',
      'Pods Status:',
      'Volumes:',
      'GET_HOSTS_FROM:',
    ])
      ifHasString(described, s);

    await k.getObjectAssert('rc frontend', `{{${RC_REPLICAS}}}`, '3');
    await k.ok(['scale', '--current-replicas=3', '--replicas=2', 'replicationcontrollers', 'frontend']);
    await k.getObjectAssert('rc frontend', `{{${RC_REPLICAS}}}`, '2');
    await k.fail(['scale', '--current-replicas=3', '--replicas=2', 'replicationcontrollers', 'frontend']);
    await k.getObjectAssert('rc frontend', `{{${RC_REPLICAS}}}`, '2');
    await k.ok(['scale', '--replicas=3', 'replicationcontrollers', 'frontend']);
    await k.getObjectAssert('rc frontend', `{{${RC_REPLICAS}}}`, '3');
    await k.ok(['scale', '--replicas=2', '-f', fixture('frontend-controller.yaml')]);
    await k.getObjectAssert('rc frontend', `{{${RC_REPLICAS}}}`, '2');

    await k.ok(['create', '-f', fixture('redis-master-controller.yaml')]);
    await k.ok(['create', '-f', fixture('redis-slave-controller.yaml')]);
    await k.ok(['scale', 'rc/redis-master', 'rc/redis-slave', '--replicas=4']);
    await k.getObjectAssert('rc redis-master', `{{${RC_REPLICAS}}}`, '4');
    await k.getObjectAssert('rc redis-slave', `{{${RC_REPLICAS}}}`, '4');
    await k.ok(['delete', 'rc', 'redis-master', 'redis-slave']);

    await k.ok(['expose', 'rc', 'frontend', '--port=80']);
    await k.getObjectAssert('service frontend', `{{${PORT_NAME}}} {{${PORT}}}`, '<no value> 80');
    await k.ok(['expose', 'service', 'frontend', '--port=443', '--name=frontend-2']);
    await k.getObjectAssert('service frontend-2', `{{${PORT_NAME}}} {{${PORT}}}`, '<no value> 443');
    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.ok(['expose', 'pod', 'valid-pod', '--port=444', '--name=frontend-3']);
    await k.getObjectAssert('service frontend-3', `{{${PORT_NAME}}} {{${PORT}}}`, '<no value> 444');
    await k.getObjectAssert(
      'service frontend',
      '{{range $k, $v := .spec.selector}}{{$k}}={{$v}};{{end}}',
      'app=guestbook;tier=frontend;',
    );

    // `kubectl get all` lists the ReplicationController
    ifHasString(await k.ok(['get', 'all']), 'replicationcontroller/frontend');
    await k.ok(['delete', 'service', 'frontend', 'frontend-2', 'frontend-3']);
    await k.ok(['delete', 'pod', 'valid-pod', '--grace-period=0', '--force']);
    await k.ok(['delete', 'rc', 'frontend']);
    await k.getObjectAssert('rc', PODS, '');

    // Auto scale replication controller
    await k.ok(['create', '-f', fixture('frontend-controller.yaml')]);
    await k.getObjectAssert('rc', PODS, 'frontend:');
    await k.ok(['autoscale', '-f', fixture('frontend-controller.yaml'), '--save-config', '--min=2', '--max=3']);
    await k.getObjectAssert(HPA_V1, HPA_FIELDS, '2 3 80');
    await k.ok(['delete', 'hpa', 'frontend']);
    await k.ok(['autoscale', 'rc', 'frontend', '--min=1', '--max=2', '--cpu-percent=70']);
    await k.getObjectAssert(HPA_V1, HPA_FIELDS, '1 2 70');
    await k.ok(['delete', 'hpa', 'frontend']);
    await k.fail(['autoscale', 'rc', 'frontend']);
    await k.ok(['delete', 'rc', 'frontend']);
  }, 60_000);

  it('ReplicationController defaulting and validation as kube-apiserver (selector and labels from the template)', async () => {
    await k.ok(['create', '-f', fixture('frontend-controller.yaml')]);
    await k.getObjectAssert(
      'rc frontend',
      '{{range $k, $v := .spec.selector}}{{$k}}={{$v}};{{end}}|{{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}',
      'app=guestbook;tier=frontend;\\|app=guestbook;tier=frontend;',
    );
    await k.getObjectAssert('rc frontend', '{{.status.replicas}}', '0');
    await k.getObjectAssert('rc frontend', '{{.metadata.generation}}', '1');
    const bad = await k.fail(['create', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ReplicationController',
        metadata: { name: 'mismatch' },
        spec: {
          selector: { app: 'other' },
          template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
        },
      }),
    });
    ifHasString(
      bad,
      'The ReplicationController "mismatch" is invalid: spec.template.metadata.labels: Invalid value: map\\[string\\]string\\{"app":"x"\\}: selector does not match template labels',
    );
    await k.ok(['delete', 'rc', 'frontend']);
  }, 30_000);

  it('HorizontalPodAutoscaler at autoscaling/v1 beside v2 (beyond core.sh: what `autoscale rc` would create)', async () => {
    await k.ok(['create', '-f', fixture('frontend-controller.yaml')]);
    await k.ok(['create', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'frontend' },
        spec: {
          scaleTargetRef: { apiVersion: 'v1', kind: 'ReplicationController', name: 'frontend' },
          maxReplicas: 2,
          targetCPUUtilizationPercentage: 70,
        },
      }),
    });
    // core.sh's hpa_min_field, hpa_max_field and hpa_cpu_field, read at autoscaling/v1
    await k.getObjectAssert(
      'horizontalpodautoscalers.v1.autoscaling frontend',
      '{{.spec.minReplicas}} {{.spec.maxReplicas}} {{.spec.targetCPUUtilizationPercentage}}',
      '1 2 70',
    );
    await k.getObjectAssert(
      'horizontalpodautoscalers.v2.autoscaling frontend',
      '{{.apiVersion}} {{(index .spec.metrics 0).resource.target.averageUtilization}}',
      'autoscaling/v2 70',
    );
    ifHasString(await k.ok(['get', 'all']), 'horizontalpodautoscaler.autoscaling/frontend');
    await k.ok(['delete', 'hpa', 'frontend']);
    await k.ok(['delete', 'rc', 'frontend']);
  }, 30_000);

  it('a Pod without a container name is invalid; a new Pod is Pending with its QoS class', async () => {
    ifHasString(
      await k.fail(['create', '-f', fixture('invalid-pod.yaml')]),
      'The Pod "test" is invalid: spec.containers\\[0\\].name: Required value',
    );
    await k.ok(['create', '-f', fixture('valid-pod.yaml')]);
    await k.getObjectAssert('pod valid-pod', '{{.status.phase}} {{.status.qosClass}}', 'Pending Guaranteed');
    await k.ok(['delete', 'pod', 'valid-pod', '--grace-period=0', '--force']);
  }, 30_000);
});
