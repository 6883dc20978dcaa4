import { describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { describeControllerMain } from '@flux-ts/testing';
import { main, helmControllerFeatureGates, helmControllerFlags, helmControllerNotice } from './index.ts';

describeControllerMain({
  controller: 'helm-controller',
  main,
  flags: helmControllerFlags,
  featureGates: helmControllerFeatureGates,
  notice: helmControllerNotice,
  helpDefaultLine: ['--graceful-shutdown-timeout duration ', '(default 10m0s)'],
});

describe('helm-controller flags', () => {
  const config = parseFlags(helmControllerFlags, [], {});

  it('defaults match upstream', () => {
    expect(config).toMatchObject({
      concurrent: 4,
      gracefulShutdownTimeout: 600_000,
      httpRetry: 9,
      defaultKubeconfigServiceAccount: '',
      snapshotDigestAlgo: 'sha256',
      overrideManager: [],
      oomWatchMemoryThreshold: 95,
      oomWatchInterval: 500,
      oomWatchMaxMemoryPath: '',
      oomWatchCurrentMemoryPath: '',
      insecureKubeconfigExec: false,
      insecureKubeconfigTls: false,
      requeueDependency: 30_000,
      watchConfigsLabelSelector: 'reconcile.fluxcd.io/watch=Enabled',
    });
  });

  it('rejects an --oom-watch-memory-threshold above 255 like a Go uint8', () => {
    expect(() => parseFlags(helmControllerFlags, ['--oom-watch-memory-threshold=300'], {})).toThrow(
      'value out of range',
    );
  });
});
