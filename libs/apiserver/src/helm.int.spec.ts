import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHelm } from '@flux-ts/testbed';
import { eventually, startCluster, type Cluster } from './testing/harness.ts';

/** The real helm binary (helm 3.18.0, installed by @flux-ts/testbed): its release storage posts protobuf Secrets. */
describe('helm against the in-process API server', () => {
  let c: Cluster;
  let env: NodeJS.ProcessEnv;
  let helmBin: string;
  const helm = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(helmBin, args, { env, cwd: c.dir, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`helm ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
      );
    });
  beforeAll(async () => {
    helmBin = await installHelm();
    c = await startCluster();
    env = {
      ...c.env,
      HELM_CACHE_HOME: join(c.dir, 'hc'),
      HELM_CONFIG_HOME: join(c.dir, 'hcfg'),
      HELM_DATA_HOME: join(c.dir, 'hd'),
    };
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('installs, upgrades and uninstalls a chart with the Secret storage driver', { timeout: 120_000 }, async () => {
    await helm(['create', 'demo']);
    await helm(['install', 'rel1', './demo', '-n', 'default']);
    expect(await c.ok(['get', 'secret', '-l', 'owner=helm', '-o', 'name'])).toBe('secret/sh.helm.release.v1.rel1.v1\n');
    expect(await c.ok(['get', 'deploy', 'rel1-demo', '-o', 'jsonpath={.spec.replicas}'])).toBe('1');
    await helm(['upgrade', 'rel1', './demo', '--set', 'replicaCount=2']);
    expect(await c.ok(['get', 'deploy', 'rel1-demo', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
    expect(await helm(['history', 'rel1', '-o', 'json'])).toContain('"status":"deployed"');
    await helm(['uninstall', 'rel1']);
    expect(await c.ok(['get', 'deploy,secret', '-o', 'name'])).toBe('');
  });
});

interface Owned {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  };
  spec: { replicas?: number; template?: { spec: { containers: { image: string }[] } } };
  status?: { phase?: string; conditions?: { type: string; status: string }[]; readyReplicas?: number };
}

/**
 * `helm … --wait` with the workload simulation on: Helm 3's wait (pkg/kube/ready.go) needs the Deployment's newest
 * ReplicaSet, found by ownerReference and pod template, observed and ready; a hook Job needs its Complete condition.
 */
describe('helm --wait against the simulated controllers', () => {
  let c: Cluster;
  let env: NodeJS.ProcessEnv;
  let helmBin: string;
  const helm = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(helmBin, args, { env, cwd: c.dir, timeout: 90_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`helm ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
      );
    });
  const items = async (kind: string): Promise<Owned[]> =>
    (JSON.parse(await c.ok(['get', kind, '-n', 'default', '-o', 'json'])) as { items: Owned[] }).items;
  const controller = (o: Owned) => o.metadata.ownerReferences?.find((r) => r.controller === true);
  beforeAll(async () => {
    helmBin = await installHelm();
    c = await startCluster({ simulation: { readyAfterMs: 300, intervalMs: 50 } });
    env = {
      ...c.env,
      HELM_CACHE_HOME: join(c.dir, 'hc'),
      HELM_CONFIG_HOME: join(c.dir, 'hcfg'),
      HELM_DATA_HOME: join(c.dir, 'hd'),
    };
    await helm(['create', 'demo']);
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it(
    'install --wait and upgrade --wait roll out owned ReplicaSets and Pods; uninstall leaves none',
    { timeout: 180_000 },
    async () => {
      await helm(['install', 'web', './demo', '-n', 'default', '--wait', '--timeout', '60s']);
      const [deploy] = await items('deployment');
      expect(deploy?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
      const rs1 = await items('replicaset');
      expect(rs1).toHaveLength(1);
      const first = rs1[0] as Owned;
      const hash = first.metadata.labels?.['pod-template-hash'] ?? '';
      expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
      expect(first.metadata.name).toBe(`web-demo-${hash}`);
      expect(controller(first)).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web-demo',
        uid: deploy?.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      });
      expect(first.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
      expect(first.status?.readyReplicas).toBe(1);
      const pods1 = await items('pod');
      expect(pods1.map((p) => controller(p)?.uid)).toEqual([first.metadata.uid]);
      expect(pods1[0]?.status?.phase).toBe('Running');
      expect(pods1[0]?.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
      expect(await c.ok(['rollout', 'status', 'deployment/web-demo', '--timeout=10s'])).toContain(
        'successfully rolled out',
      );

      await helm([
        'upgrade',
        'web',
        './demo',
        '-n',
        'default',
        '--set',
        'image.tag=1.27',
        '--wait',
        '--timeout',
        '60s',
      ]);
      const rs2 = await items('replicaset');
      expect(rs2).toHaveLength(2);
      const next = rs2.find((r) => r.metadata.uid !== first.metadata.uid) as Owned;
      expect(next.spec.template?.spec.containers[0]?.image).toBe('nginx:1.27');
      expect(next.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
      expect(rs2.find((r) => r.metadata.uid === first.metadata.uid)?.spec.replicas).toBe(0);
      expect(controller(next)?.uid).toBe(deploy?.metadata.uid);
      const [deploy2] = await items('deployment');
      expect(deploy2?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
      const pods2 = await items('pod');
      expect(pods2.map((p) => controller(p)?.uid)).toEqual([next.metadata.uid]);
      expect(pods2[0]?.metadata.name.startsWith(`${next.metadata.name}-`)).toBe(true);
      const table = await c.ok([
        'get',
        'rs,pods',
        '-n',
        'default',
        '-o',
        'custom-columns=NAME:.metadata.name,OWNER:.metadata.ownerReferences[0].name',
      ]);
      const owners = new Map(
        table
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(/\s+/) as [string, string]),
      );
      expect(owners).toEqual(
        new Map([
          [first.metadata.name, 'web-demo'],
          [next.metadata.name, 'web-demo'],
          [pods2[0]?.metadata.name, next.metadata.name],
        ]),
      );

      await helm(['uninstall', 'web', '-n', 'default']);
      await eventually(async () => (await c.ok(['get', 'deploy,rs,pods', '-n', 'default', '-o', 'name'])) === '');
    },
  );

  it('helm test runs the chart test Pod to Succeeded', { timeout: 120_000 }, async () => {
    await helm(['install', 'tst', './demo', '-n', 'default', '--wait', '--timeout', '60s']);
    expect(await helm(['test', 'tst', '-n', 'default', '--timeout', '60s'])).toMatch(
      /TEST SUITE:\s+tst-demo-test-connection[\s\S]*Phase:\s+Succeeded/,
    );
    await helm(['uninstall', 'tst', '-n', 'default']);
    await c.ok(['delete', 'pod', 'tst-demo-test-connection', '-n', 'default']);
    await eventually(async () => (await c.ok(['get', 'deploy,rs,pods', '-n', 'default', '-o', 'name'])) === '');
  });

  it('install --wait runs a pre-install hook Job to completion', { timeout: 120_000 }, async () => {
    await helm(['create', 'hooked']);
    await writeFile(
      join(c.dir, 'hooked', 'templates', 'pre-install-job.yaml'),
      `apiVersion: batch/v1
kind: Job
metadata:
  name: "{{ .Release.Name }}-migrate"
  annotations:
    "helm.sh/hook": pre-install
    "helm.sh/hook-weight": "-5"
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox
          command: ["true"]
`,
    );
    await helm(['install', 'hk', './hooked', '-n', 'default', '--wait', '--timeout', '60s']);
    const job = JSON.parse(await c.ok(['get', 'job', 'hk-migrate', '-n', 'default', '-o', 'json'])) as {
      status: {
        succeeded?: number;
        startTime?: string;
        completionTime?: string;
        conditions?: { type: string; status: string }[];
      };
    };
    expect(job.status.succeeded).toBe(1);
    expect(job.status.startTime).toBeTruthy();
    expect(job.status.completionTime).toBeTruthy();
    expect(job.status.conditions?.find((x) => x.type === 'Complete')?.status).toBe('True');
    expect(await helm(['status', 'hk', '-n', 'default', '-o', 'json'])).toContain('"status":"deployed"');
    await helm(['uninstall', 'hk', '-n', 'default']);
  });
});
