/**
 * Port of kubernetes/kubernetes test/cmd/wait.sh (run_wait_tests), same commands and expected values, against a
 * server with the workload simulation on (it plays the deployment and replicaset controllers and the kubelet's
 * pod status).
 *
 * Dropped cases:
 * - `kubectl wait --for=jsonpath=.status.readyReplicas=1 deploy/test-1` expecting 'timed out': upstream's busybox
 *   pod never becomes ready (it exits), the simulation makes every pod ready; and the case waits kubectl's default
 *   30 s timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ID, ifHasString, startCmdEnv, type CmdEnv } from './harness.ts';

const DTEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: dtest
  name: dtest
spec:
  replicas: 3
  selector:
    matchLabels:
      app: dtest
  template:
    metadata:
      labels:
        app: dtest
    spec:
      containers:
      - name: bb
        image: busybox
        command: ["/bin/sh", "-c", "sleep infinity"]
`;

describe('test/cmd/wait.sh', () => {
  let k: CmdEnv;
  beforeAll(async () => {
    k = await startCmdEnv({ simulation: { readyAfterMs: 200, intervalMs: 100 } });
    await k.useNewNamespace();
  }, 30_000);
  afterAll(() => k.stop());

  it('wait --for=delete --all while the deployments are deleted', async () => {
    await k.ok(['create', 'deployment', 'test-1', '--image=busybox']);
    await k.ok(['create', 'deployment', 'test-2', '--image=busybox']);
    await k.getObjectAssert('deployments', '{{range .items}}{{.metadata.name}},{{end}}', 'test-1,test-2,');
    const waiting = k.run(['wait', 'deployment', '--for=delete', '--all']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await k.ok(['delete', 'deployment', '--all']);
    const r = await waiting;
    expect(r.code, r.output).toBe(0);
    ifHasString(r.stdout, 'test-1 condition met');
    ifHasString(r.stdout, 'test-2 condition met');
  }, 30_000);

  it('wait times out after --timeout for an invalid condition', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: DTEST });
    await k.waitObjectAssert('deployments', `{{range.items}}{{${ID}}}{{end}}`, 'dtest');
    // the deployment's pods (from the simulated controllers) must exist for the wait to reach its timeout
    await k.waitObjectAssert('pods --selector=app=dtest', '{{len .items}}', '3');
    const start = Date.now();
    const r = await k.run(['wait', 'pod', '--selector=app=dtest', '--for=condition=InvalidCondition', '--timeout=1s']);
    const seconds = Math.round((Date.now() - start) / 1000);
    ifHasString(r.output, 'timed out waiting for the condition ');
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(2);
    await k.ok(['delete', 'deployment', 'dtest']);
  }, 30_000);

  it('wait --for=jsonpath without a value', async () => {
    await k.ok(['create', 'deployment', 'test-3', '--image=busybox']);
    const out = await k.ok(['wait', '--for=jsonpath={.status.replicas}', 'deploy/test-3']);
    ifHasString(out, 'deployment.apps/test-3 condition met');
    await k.ok(['delete', 'deployment', 'test-3']);
  }, 30_000);
});
