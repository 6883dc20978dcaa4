import { describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { describeControllerMain } from '@flux-ts/testing';
import { main, kustomizeControllerFeatureGates, kustomizeControllerFlags, kustomizeControllerNotice } from './index.ts';

describeControllerMain({
  controller: 'kustomize-controller',
  main,
  flags: kustomizeControllerFlags,
  featureGates: kustomizeControllerFeatureGates,
  notice: kustomizeControllerNotice,
  helpDefaultLine: ['--concurrent-ssa int ', '(default 4)'],
});

describe('kustomize-controller flags', () => {
  const config = parseFlags(kustomizeControllerFlags, [], {});

  it('defaults match upstream', () => {
    expect(config).toMatchObject({
      concurrent: 4,
      concurrentSsa: 4,
      httpRetry: 9,
      noRemoteBases: false,
      defaultServiceAccount: '',
      defaultDecryptionServiceAccount: '',
      defaultKubeconfigServiceAccount: '',
      sopsAgeSecret: '',
      sopsVaultConfigmap: '',
      overrideManager: [],
      customApplyStageKinds: '',
      insecureKubeconfigExec: false,
      insecureKubeconfigTls: false,
      noCrossNamespaceRefs: false,
      watchConfigsLabelSelector: 'reconcile.fluxcd.io/watch=Enabled',
      requeueDependency: 30_000,
      intervalJitterPercentage: 5,
    });
  });

  it('has StrictPostBuildSubstitutions and DisableStatusPollerCache on by default', () => {
    const gates = parseFlags(kustomizeControllerFlags, [], {}).featureGates;
    expect(gates.StrictPostBuildSubstitutions).toBe(true);
    expect(gates.DisableStatusPollerCache).toBe(true);
    expect(gates.DisableFailFastBehavior).toBe(false);
  });

  it('collects repeated --override-manager values', () => {
    const config = parseFlags(
      kustomizeControllerFlags,
      ['--override-manager=kubectl', '--override-manager', 'helm'],
      {},
    );
    expect(config.overrideManager).toEqual(['kubectl', 'helm']);
  });
});
