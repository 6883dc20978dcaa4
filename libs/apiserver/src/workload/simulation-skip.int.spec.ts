import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, manifest, startCluster, type Cluster } from '../testing/harness.ts';

const DEPLOYMENT = (namespace: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${namespace}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1"}]}
`;

/** `skipDeploymentsIn`: another controller (libs/embedded's process runtime) runs that namespace's Deployments. */
describe('workload simulation with skipDeploymentsIn', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ simulation: { readyAfterMs: 0, intervalMs: 25, skipDeploymentsIn: ['flux-system'] } });
    await c.ok(['create', 'namespace', 'flux-system']);
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
  }, 30_000);

  it("leaves the skipped namespace's Deployments alone and runs the others", { timeout: 60_000 }, async () => {
    await c.ok(['apply', '-f', await manifest(c, 'skipped.yaml', DEPLOYMENT('flux-system'))]);
    await c.ok(['apply', '-f', await manifest(c, 'simulated.yaml', DEPLOYMENT('default'))]);
    // both were applied before the simulated one rolled out: a tick that handled it also saw the skipped one
    await eventually(
      async () => JSON.parse(await c.ok(['get', 'pods', '-n', 'default', '-o', 'json'])).items.length === 1,
    );
    expect(await c.ok(['rollout', 'status', '-n', 'default', 'deployment/web', '--timeout=30s'])).toContain(
      'successfully rolled out',
    );
    const skipped = JSON.parse(await c.ok(['get', 'deployment', 'web', '-n', 'flux-system', '-o', 'json'])) as {
      status?: unknown;
    };
    expect(skipped.status ?? {}).toEqual({});
    expect(await c.ok(['get', 'replicasets,pods', '-n', 'flux-system', '-o', 'name'])).toBe('');
  });
});
