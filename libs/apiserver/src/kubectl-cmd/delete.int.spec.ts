/**
 * Port of kubernetes/kubernetes test/cmd/delete.sh (run_kubectl_delete_allnamespaces_tests), same commands and
 * expected values. Dropped cases: none.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ID, startCmdEnv, type CmdEnv } from './harness.ts';

describe('test/cmd/delete.sh', () => {
  let k: CmdEnv;
  beforeAll(async () => {
    k = await startCmdEnv();
  }, 30_000);
  afterAll(() => k.stop());

  it('delete --all-namespaces with a label selector (and its dry-runs)', async () => {
    const nsOne = `namespace-${Date.now()}-1`;
    const nsTwo = `namespace-${Date.now()}-2`;
    await k.ok(['create', 'namespace', nsOne]);
    await k.ok(['create', 'namespace', nsTwo]);
    await k.ok(['create', 'configmap', 'one', `--namespace=${nsOne}`]);
    await k.ok(['create', 'configmap', 'two', `--namespace=${nsTwo}`]);
    await k.ok(['label', 'configmap', 'one', `--namespace=${nsOne}`, 'deletetest=true']);
    await k.ok(['label', 'configmap', 'two', `--namespace=${nsTwo}`, 'deletetest=true']);

    await k.ok(['delete', 'configmap', '--dry-run=client', '-l', 'deletetest=true', '--all-namespaces']);
    await k.ok(['delete', 'configmap', '--dry-run=server', '-l', 'deletetest=true', '--all-namespaces']);
    await k.ok(['config', 'set-context', '--current', `--namespace=${nsOne}`]);
    await k.getObjectAssert('configmap -l deletetest', `{{range.items}}{{${ID}}}:{{end}}`, 'one:');
    await k.ok(['config', 'set-context', '--current', `--namespace=${nsTwo}`]);
    await k.getObjectAssert('configmap -l deletetest', `{{range.items}}{{${ID}}}:{{end}}`, 'two:');

    await k.ok(['delete', 'configmap', '-l', 'deletetest=true', '--all-namespaces']);
    await k.ok(['config', 'set-context', '--current', `--namespace=${nsOne}`]);
    await k.getObjectAssert('configmap -l deletetest', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['config', 'set-context', '--current', `--namespace=${nsTwo}`]);
    await k.getObjectAssert('configmap -l deletetest', `{{range.items}}{{${ID}}}:{{end}}`, '');
  }, 30_000);
});
