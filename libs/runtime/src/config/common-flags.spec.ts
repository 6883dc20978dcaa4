import { describe, expect, it } from 'vitest';
import { commonFlags, featureGatesFlag } from './common-flags.ts';
import { FlagError, defineFlags, parseFlags, withoutFlags } from './flags.ts';

describe('commonFlags', () => {
  const config = parseFlags(commonFlags, [], {});

  it('carries the upstream defaults', () => {
    expect(config).toMatchObject({
      metricsAddr: { host: '', port: 8080 },
      healthAddr: { host: '', port: 9440 },
      eventsAddr: '',
      concurrent: 4,
      requeueDependency: 30_000,
      watchAllNamespaces: true,
      watchLabelSelector: '',
      watchConfigsLabelSelector: 'reconcile.fluxcd.io/watch=Enabled',
      logLevel: 'info',
      logEncoding: 'json',
      kubeApiQps: 50,
      kubeApiBurst: 300,
      enableLeaderElection: false,
      leaderElectionLeaseDuration: 35_000,
      leaderElectionRenewDeadline: 30_000,
      leaderElectionRetryPeriod: 5_000,
      leaderElectionReleaseOnCancel: true,
      minRetryDelay: 750,
      maxRetryDelay: 900_000,
      intervalJitterPercentage: 5,
      noCrossNamespaceRefs: false,
      defaultServiceAccount: '',
      tokenCacheMaxSize: 100,
      tokenCacheMaxDuration: 3_600_000,
      kubeconfig: '',
    });
  });

  it('accepts no feature gate until a controller supplies its own', () => {
    expect(() => parseFlags(commonFlags, ['--feature-gates=Anything=true'], {})).toThrow(FlagError);
  });
});

describe('featureGatesFlag', () => {
  it('builds a --feature-gates row that validates against the given gates', () => {
    const table = defineFlags([
      ...withoutFlags(commonFlags, ['feature-gates']),
      featureGatesFlag({ GitShallowClone: true, GitSparseCheckout: false }),
    ]);
    expect(parseFlags(table, ['--feature-gates=GitSparseCheckout=true'], {}).featureGates).toEqual({
      GitShallowClone: true,
      GitSparseCheckout: true,
    });
    expect(() => parseFlags(table, ['--feature-gates=OOMWatch=true'], {})).toThrow(
      "feature-gate 'OOMWatch' not supported",
    );
  });
});
