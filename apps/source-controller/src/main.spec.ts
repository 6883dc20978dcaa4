import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { captureIO, describeControllerMain, writeTestKubeconfig } from '@flux-ts/testing';
import {
  advertisedStorageAddress,
  main,
  sourceControllerFeatureGates,
  sourceControllerFlags,
  sourceControllerNotice,
} from './index.ts';

// The shared flag and `main` suite; the start-up itself is tested in main.int.spec.ts against the API server.
describeControllerMain({
  controller: 'source-controller',
  main,
  flags: sourceControllerFlags,
  featureGates: sourceControllerFeatureGates,
  notice: sourceControllerNotice,
  omittedKeys: ['noCrossNamespaceRefs'],
  helpDefaultLine: ['--storage-addr string ', '(default ":9090")'],
  implemented: true,
});

describe('source-controller flags', () => {
  const config = parseFlags(sourceControllerFlags, [], {});

  it('defaults match upstream', () => {
    expect(config).toMatchObject({
      concurrent: 2,
      storagePath: '/data',
      storageAddr: { host: '', port: 9090 },
      storageAdvAddr: '',
      artifactRetentionTtl: 60_000,
      artifactRetentionRecords: 2,
      artifactDigestAlgo: 'sha256',
      helmIndexMaxSize: 52428800,
      helmChartMaxSize: 10485760,
      helmChartFileMaxSize: 5242880,
      helmCacheMaxSize: 0,
      helmCacheTtl: '15m',
      helmCachePurgeInterval: '1m',
      sshKexAlgos: [],
      sshHostkeyAlgos: [],
      metricsAddr: { host: '', port: 8080 },
      healthAddr: { host: '', port: 9440 },
      eventsAddr: '',
      requeueDependency: 30_000,
      intervalJitterPercentage: 5,
    });
  });

  it('falls back to the storage and address environment variables upstream reads', () => {
    const config = parseFlags(sourceControllerFlags, [], {
      STORAGE_PATH: '/var/lib/artifacts',
      STORAGE_ADDRESS: '127.0.0.1:0',
      STORAGE_ADV_ADDR: 'source-controller.flux-system.svc.cluster.local.',
      METRICS_ADDR: '[::1]:0',
      EVENTS_ADDR: 'http://notification-controller.flux-system.svc.cluster.local./',
    });
    expect(config).toMatchObject({
      storagePath: '/var/lib/artifacts',
      storageAddr: { host: '127.0.0.1', port: 0 },
      storageAdvAddr: 'source-controller.flux-system.svc.cluster.local.',
      metricsAddr: { host: '::1', port: 0 },
      eventsAddr: 'http://notification-controller.flux-system.svc.cluster.local./',
    });
  });

  it('advertises --storage-adv-addr, else --storage-addr with the host name for an empty host', () => {
    const storageAddr = { host: '', port: 9090 };
    expect(advertisedStorageAddress({ storageAdvAddr: 'sc.flux-system.svc.', storageAddr, hostname: 'pod' })).toBe(
      'sc.flux-system.svc.',
    );
    expect(advertisedStorageAddress({ storageAdvAddr: '', storageAddr, hostname: 'pod-1' })).toBe('pod-1:9090');
    expect(
      advertisedStorageAddress({ storageAdvAddr: '', storageAddr: { host: '::1', port: 80 }, hostname: 'x' }),
    ).toBe('[::1]:80');
  });
});

describe('source-controller main', () => {
  let dir: string;
  let emptyHome: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-source-controller-'));
    writeTestKubeconfig(dir);
    emptyHome = join(dir, 'home');
    mkdirSync(emptyHome);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says in --help what it reconciles and what it does not yet', async () => {
    const c = captureIO();
    expect(await main(['--help'], {}, c.io)).toBe(0);
    expect(sourceControllerNotice).toContain('GitRepository');
    expect(sourceControllerNotice).toContain('not in this build: the azure and gcp providers of OCIRepository');
  });

  it('exits 1 on an invalid --log-level before connecting', async () => {
    const c = captureIO();
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    expect(await main(['--kubeconfig', kubeconfig, '--log-level=loud'], { HOME: emptyHome }, c.io)).toBe(1);
    expect(c.err()).toContain('invalid --log-level "loud"');
  });
});
