import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../server.ts';
import { eventually, manifest, raw, startCluster, type Cluster } from '../testing/harness.ts';

interface Item {
  metadata: {
    name: string;
    uid: string;
    resourceVersion: string;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; controller?: boolean }[];
  };
  spec: { replicas?: number; template?: { spec: { containers: { image: string }[] } } };
  status?: { phase?: string; readyReplicas?: number; availableReplicas?: number };
}

const DEPLOYMENT = (image: string, replicas = 2): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "${image}"}]}
`;

/** The simulated Deployment and ReplicaSet controllers and kubelet, driven by real kubectl. */
describe('workload simulation with kubectl', () => {
  let c: Cluster;
  const items = async (kind: string): Promise<Item[]> =>
    (JSON.parse(await c.ok(['get', kind, '-n', 'default', '-o', 'json'])) as { items: Item[] }).items;
  const owner = (o: Item): string | undefined => o.metadata.ownerReferences?.find((r) => r.controller)?.uid;
  const runningPods = async (rsUid: string, n: number): Promise<Item[] | false> => {
    const pods = (await items('pods')).filter((p) => owner(p) === rsUid);
    return pods.length === n && pods.every((p) => p.status?.phase === 'Running') && pods;
  };
  beforeAll(async () => {
    c = await startCluster({ simulation: { readyAfterMs: 100, intervalMs: 25 } });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('rolls out, replaces deleted Pods, scales, rolls back and garbage-collects', { timeout: 120_000 }, async () => {
    await c.ok(['apply', '-f', await manifest(c, 'web.yaml', DEPLOYMENT('nginx:1'))]);
    expect(await c.ok(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain('successfully rolled out');
    const [rs1] = await items('replicasets');
    const [deploy] = await items('deployments');
    expect(rs1 && owner(rs1)).toBe(deploy?.metadata.uid);
    const pods = (await eventually(() => runningPods(rs1?.metadata.uid ?? '', 2))) as Item[];

    // the ReplicaSet controller replaces a deleted Pod
    await c.ok(['delete', 'pod', pods[0]?.metadata.name ?? '', '--wait=false']);
    const replaced = (await eventually(() => runningPods(rs1?.metadata.uid ?? '', 2))) as Item[];
    expect(replaced.map((p) => p.metadata.name)).not.toContain(pods[0]?.metadata.name);

    await c.ok(['scale', 'deployment/web', '--replicas=3']);
    await eventually(() => runningPods(rs1?.metadata.uid ?? '', 3));
    expect((await items('replicasets')).map((r) => r.spec.replicas)).toEqual([3]);

    await c.ok(['set', 'image', 'deployment/web', 'web=nginx:2']);
    expect(await c.ok(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain('successfully rolled out');
    const rs2 = (await items('replicasets')).find((r) => r.metadata.uid !== rs1?.metadata.uid) as Item;
    expect(rs2.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    await eventually(async () => (await items('pods')).every((p) => owner(p) === rs2.metadata.uid));

    // kubectl rollout undo reads the revision annotations of the ReplicaSets
    expect(await c.ok(['rollout', 'history', 'deployment/web'])).toMatch(/^1\s.*\n2\s/m);
    await c.ok(['rollout', 'undo', 'deployment/web']);
    expect(await c.ok(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain('successfully rolled out');
    const back = await items('replicasets');
    expect(back).toHaveLength(2);
    const reused = back.find((r) => r.metadata.uid === rs1?.metadata.uid);
    expect(reused?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(reused?.spec.replicas).toBe(3);
    await eventually(() => runningPods(rs1?.metadata.uid ?? '', 3));

    await c.ok(['delete', 'deployment', 'web']);
    await eventually(async () => (await c.ok(['get', 'rs,pods', '-n', 'default', '-o', 'name'])) === '');
  });

  it('foreground deletion waits for the ReplicaSets and Pods', { timeout: 60_000 }, async () => {
    await c.ok(['apply', '-f', await manifest(c, 'fg.yaml', DEPLOYMENT('nginx:1', 1))]);
    expect(await c.ok(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain('successfully rolled out');
    await c.ok(['delete', 'deployment', 'web', '--cascade=foreground', '--timeout=30s']);
    expect(await c.ok(['get', 'deploy,rs,pods', '-n', 'default', '-o', 'name'])).toBe('');
  });

  it('Pods of a template annotated flux-ts.dev/simulate: fail never become ready', { timeout: 60_000 }, async () => {
    const failing = DEPLOYMENT('nginx:404', 1).replace(
      'metadata: {labels: {app: web}}',
      'metadata: {labels: {app: web}, annotations: {flux-ts.dev/simulate: fail}}',
    );
    await c.ok(['apply', '-f', await manifest(c, 'fail.yaml', failing)]);
    const reason = await eventually(async () => {
      const [pod] = await items('pods');
      return (
        (pod?.status as { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] } | undefined)
          ?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' && pod
      );
    });
    expect(reason && reason.status?.phase).toBe('Pending');
    const r = await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=1s']);
    expect(r.code).not.toBe(0);
    await c.ok(['delete', 'deployment', 'web']);
    await eventually(async () => (await c.ok(['get', 'rs,pods', '-n', 'default', '-o', 'name'])) === '');
  });

  it('a server resumed from a snapshot rewrites none of the rolled-out objects', { timeout: 60_000 }, async () => {
    await c.ok(['apply', '-f', await manifest(c, 'snap.yaml', DEPLOYMENT('nginx:1', 2))]);
    expect(await c.ok(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain('successfully rolled out');
    const paths = [
      '/apis/apps/v1/namespaces/default/deployments',
      '/apis/apps/v1/namespaces/default/replicasets',
      '/api/v1/namespaces/default/pods',
    ];
    const state = async (server: Cluster['server']) =>
      Promise.all(paths.map(async (p) => (await raw(server, 'GET', p)).json()['items']));
    const before = await eventually(async () => {
      const s = await state(c.server);
      const pods = s[2] as Item[];
      return pods.length === 2 && pods.every((p) => p.status?.phase === 'Running') && s;
    });
    const second = await startApiServer({
      snapshot: c.server.snapshot(),
      simulation: { readyAfterMs: 100, intervalMs: 25 },
    });
    try {
      await new Promise((r) => setTimeout(r, 300)); // ~12 simulation ticks
      expect(await state(second)).toEqual(before);
    } finally {
      await second.close();
    }
    await c.ok(['delete', 'deployment', 'web']);
    await eventually(async () => (await c.ok(['get', 'rs,pods', '-n', 'default', '-o', 'name'])) === '');
  });
});
