/**
 * Port of kubernetes/kubernetes test/cmd/diff.sh (run_kubectl_diff_tests, run_kubectl_diff_same_names), same commands and expected values.
 * Dropped cases: none (run_kubectl_diff_same_names included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, ID, ifHasNotString, ifHasString, startCmdEnv, type CmdEnv } from './harness.ts';

const FOUND = `{{range.items}}{{ if eq ${ID} "test-pod" }}found{{end}}{{end}}:`;

describe('test/cmd/diff.sh', () => {
  let k: CmdEnv;
  beforeAll(async () => {
    k = await startCmdEnv();
    await k.useNewNamespace();
  }, 30_000);
  afterAll(() => k.stop());

  const resourceVersion = (): Promise<string> =>
    k.ok(['get', '-f', fixture('pod.yaml'), '-o', 'go-template={{ .metadata.resourceVersion }}']);

  it('kubectl diff: a missing object, no difference, a changed image, an error (client-side apply)', async () => {
    let r = await k.run(['diff', '-f', fixture('pod.yaml')]);
    expect(r.code).not.toBe(0);
    ifHasString(r.stdout, 'test-pod');
    await k.getObjectAssert('pod', FOUND, ':');

    await k.ok(['apply', '-f', fixture('pod.yaml')]);
    await k.getObjectAssert('pod', FOUND, 'found:');
    const initial = await resourceVersion();
    await k.ok(['diff', '-f', fixture('pod.yaml')]);
    ifHasString(await resourceVersion(), initial);

    r = await k.run(['diff', '-f', fixture('pod-changed.yaml')]);
    expect(r.code).toBe(1);
    ifHasString(r.stdout, 'registry.k8s.io/pause:3.4');
    ifHasString(await resourceVersion(), initial);

    r = await k.run(['diff', '-f', fixture('pod-changed.yaml'), '--server-side']);
    expect(r.code).toBe(1);
    ifHasString(r.stdout, 'registry.k8s.io/pause:3.4');
    ifHasString(await resourceVersion(), initial);

    r = await k.run(['diff', '-f', fixture('invalid-pod.yaml')]);
    expect(r.code).toBeGreaterThan(1);
    await k.ok(['delete', '-f', fixture('pod.yaml')]);
  }, 30_000);

  it('kubectl diff with server-side apply', async () => {
    let r = await k.run(['diff', '--server-side', '-f', fixture('pod.yaml')]);
    expect(r.code).not.toBe(0);
    ifHasString(r.stdout, 'test-pod');
    await k.getObjectAssert('pod', FOUND, ':');
    await k.ok(['apply', '--server-side', '-f', fixture('pod.yaml')]);
    await k.getObjectAssert('pod', FOUND, 'found:');
    await k.ok(['diff', '--server-side', '-f', fixture('pod.yaml')]);
    r = await k.run(['diff', '--server-side', '-f', fixture('pod-changed.yaml')]);
    expect(r.code).toBe(1);
    ifHasString(r.stdout, 'registry.k8s.io/pause:3.4');
  }, 30_000);

  it('kubectl diff --prune (default allowlist, ReplicationController included)', async () => {
    await k.ok(['create', 'ns', 'nsb']);
    await k.ok(['apply', '--namespace', 'nsb', '-l', 'prune-group=true', '-f', fixture('prune/a.yaml')]);
    await k.getObjectAssert('pods a -n nsb', `{{${ID}}}`, 'a');
    let r = await k.run(['diff', '-l', 'prune-group=true', '-f', fixture('prune/b.yaml')]);
    expect(r.code).toBe(1);
    ifHasNotString(r.stdout, 'name: a');
    r = await k.run(['diff', '--prune', '-l', 'prune-group=true', '-f', fixture('prune/b.yaml')]);
    expect(r.code, r.stderr).toBe(1);
    ifHasString(r.stdout, 'name: a');
    await k.ok(['apply', '--prune', '--namespace', 'nsb', '-l', 'prune-group=true', '-f', fixture('prune/b.yaml')]);
    await k.waitObjectAssert('pods -n nsb', `{{range.items}}{{${ID}}}:{{end}}`, 'b:');
    await k.ok(['diff', '--prune', '-l', 'prune-group=true', '-f', fixture('prune/b.yaml')]);
    await k.ok(['delete', '-f', fixture('pod.yaml')]);
    await k.ok(['delete', '-f', fixture('prune/b.yaml')]);
  }, 30_000);

  it('run_kubectl_diff_same_names: objects of four kinds named test', async () => {
    await k.useNewNamespace();
    const out = await k.run(['diff', '-Rf', fixture('diff')], { env: { KUBECTL_EXTERNAL_DIFF: 'find' } });
    ifHasString(out.output, 'v1\\.Pod\\..*\\.test');
    ifHasString(out.output, 'apps\\.v1\\.Deployment\\..*\\.test');
    ifHasString(out.output, 'v1\\.ConfigMap\\..*\\.test');
    ifHasString(out.output, 'v1\\.Secret\\..*\\.test');
  }, 30_000);
});
