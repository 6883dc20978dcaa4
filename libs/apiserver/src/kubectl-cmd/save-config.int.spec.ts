/**
 * Port of kubernetes/kubernetes test/cmd/save-config.sh (run_save_config_tests), same commands and expected values.
 *
 * Dropped cases:
 * - the three `get hpa … -o=jsonpath={.items[0].apiVersion}` checks expect `autoscaling/v2` where save-config.sh
 *   expects `autoscaling/v1`: the preferred autoscaling version of kube-apiserver is v2 since Kubernetes 1.26.
 * - `kubectl run --generator=run/v1` (an RC) of old releases: current kubectl runs a Pod, so case 4/5 run and
 *   expose a Pod, as upstream now does.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fixture, ID, ifHasNotString, ifHasString, startCmdEnv, type CmdEnv } from './harness.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

describe('test/cmd/save-config.sh', () => {
  let k: CmdEnv;
  beforeAll(async () => {
    k = await startCmdEnv();
  }, 30_000);
  afterAll(() => k.stop());

  it('create, edit and replace --save-config write the configuration annotation', async () => {
    await k.useNewNamespace();
    await k.getObjectAssert('pods', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['create', '-f', fixture('pod.yaml'), '--save-config']);
    ifHasString(await k.ok(['get', 'pods', 'test-pod', '-o', 'yaml']), LAST_APPLIED);
    await k.ok(['delete', '-f', fixture('pod.yaml')]);

    await k.useNewNamespace();
    await k.getObjectAssert('pods', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['create', '-f', fixture('pod.yaml')]);
    ifHasNotString(await k.ok(['get', 'pods', 'test-pod', '-o', 'yaml']), LAST_APPLIED);
    const editor = await k.sedEditor('s/test-pod-label/test-pod-label-edited/g');
    await k.ok(['edit', 'pod', 'test-pod', '--save-config'], { env: { EDITOR: editor } });
    ifHasString(await k.ok(['get', 'pods', 'test-pod', '-o', 'yaml']), LAST_APPLIED);
    await k.ok(['delete', '-f', fixture('pod.yaml')]);

    await k.useNewNamespace();
    await k.getObjectAssert('pods', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['create', '-f', fixture('pod.yaml')]);
    ifHasNotString(await k.ok(['get', 'pods', 'test-pod', '-o', 'yaml']), LAST_APPLIED);
    await k.ok(['replace', '-f', fixture('pod.yaml'), '--save-config']);
    ifHasString(await k.ok(['get', 'pods', 'test-pod', '-o', 'yaml']), LAST_APPLIED);
    await k.ok(['delete', '-f', fixture('pod.yaml')]);
  }, 30_000);

  it('run and expose --save-config', async () => {
    await k.getObjectAssert('pods', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['run', 'nginx', '--image=registry.k8s.io/nginx:1.7.9', '--save-config']);
    ifHasString(await k.ok(['get', 'pods', 'nginx', '-o', 'yaml']), LAST_APPLIED);
    await k.getObjectAssert('svc', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['expose', 'pod', 'nginx', '--save-config', '--port=80', '--target-port=8000']);
    ifHasString(await k.ok(['get', 'svc', 'nginx', '-o', 'yaml']), LAST_APPLIED);
    await k.ok(['delete', 'pod,svc', 'nginx']);
  }, 30_000);

  it('autoscale --save-config', async () => {
    await k.getObjectAssert('rc', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['create', '-f', fixture('frontend-controller.yaml')]);
    ifHasNotString(await k.ok(['get', 'rc', 'frontend', '-o', 'yaml']), LAST_APPLIED);
    await k.ok(['autoscale', '-f', fixture('frontend-controller.yaml'), '--save-config', '--max=2']);
    ifHasString(await k.ok(['get', 'hpa', 'frontend', '-o', 'yaml']), LAST_APPLIED);
    for (const resource of ['hpa', 'hpa.autoscaling', 'hpa.autoscal'])
      ifHasString(await k.ok(['get', resource, '-o=jsonpath={.items[0].apiVersion}']), 'autoscaling/v2');
    await k.ok(['delete', 'hpa', 'frontend']);
    await k.ok(['delete', 'rc', 'frontend']);
  }, 30_000);
});
