import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHelm } from '@flux-ts/testbed';
import { startCluster, type Cluster } from './testing/harness.ts';

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
