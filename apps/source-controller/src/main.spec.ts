import { describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { describeControllerMain } from '@flux-ts/testing';
import { main, sourceControllerFeatureGates, sourceControllerFlags, sourceControllerNotice } from './index.ts';

describeControllerMain({
  controller: 'source-controller',
  main,
  flags: sourceControllerFlags,
  featureGates: sourceControllerFeatureGates,
  notice: sourceControllerNotice,
  omittedKeys: ['noCrossNamespaceRefs'],
  helpDefaultLine: ['--storage-addr string ', '(default ":9090")'],
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
});
