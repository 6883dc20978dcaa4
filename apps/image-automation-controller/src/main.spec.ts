import { describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { describeControllerMain } from '@flux-ts/testing';
import {
  main,
  imageAutomationControllerFeatureGates,
  imageAutomationControllerFlags,
  imageAutomationControllerNotice,
} from './index.ts';

describeControllerMain({
  controller: 'image-automation-controller',
  main,
  flags: imageAutomationControllerFlags,
  featureGates: imageAutomationControllerFeatureGates,
  notice: imageAutomationControllerNotice,
  omittedKeys: ['requeueDependency', 'intervalJitterPercentage'],
  helpDefaultLine: ['--ssh-kex-algos strings ', 'arranged from most preferred to the least.'],
});

describe('image-automation-controller flags', () => {
  const config = parseFlags(imageAutomationControllerFlags, [], {});

  it('defaults match upstream', () => {
    expect(config).toMatchObject({
      concurrent: 4,
      sshKexAlgos: [],
      sshHostkeyAlgos: [],
      noCrossNamespaceRefs: false,
    });
  });

  it('has the Git feature gates on by default except sparse checkout', () => {
    expect(parseFlags(imageAutomationControllerFlags, [], {}).featureGates).toMatchObject({
      GitForcePushBranch: true,
      GitShallowClone: true,
      GitAllBranchReferences: true,
      GitSparseCheckout: false,
    });
  });
});
