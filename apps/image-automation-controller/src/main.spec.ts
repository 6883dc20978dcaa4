import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { captureIO, commonBadFlags } from '@flux-ts/testing';
import {
  main,
  imageAutomationControllerFeatureGates,
  imageAutomationControllerFlags,
  imageAutomationControllerNotice,
} from './index.ts';

// The shared suite asserts the "not implemented" start path; this controller runs, so its main tests are here
// (the start path itself is covered by the reconciler's integration test against the API server).
describe('image-automation-controller main', () => {
  let dir: string;
  let emptyHome: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-iac-'));
    emptyHome = join(dir, 'home');
    mkdirSync(emptyHome);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the notice and every flag for --help, exit 0', async () => {
    const c = captureIO();
    expect(await main(['--help'], {}, c.io)).toBe(0);
    const out = c.out();
    expect(out.split('\n')[0]).toBe(imageAutomationControllerNotice);
    expect(imageAutomationControllerNotice).toContain('reconciles ImageUpdateAutomations');
    expect(out).toContain('Usage of image-automation-controller:');
    for (const flag of imageAutomationControllerFlags) expect(out).toMatch(new RegExp(`^ +--${flag.name}( |$)`, 'm'));
    for (const gate of Object.keys(imageAutomationControllerFeatureGates))
      expect(out).toMatch(new RegExp(`^ +${gate} +(true|false)$`, 'm'));
    expect(out.split('\n').find((l) => l.trimStart().startsWith('--ssh-kex-algos strings '))).toContain(
      'arranged from most preferred to the least.',
    );
    expect(c.err()).toBe('');
  });

  it('exits 1 with the sources tried when no kubeconfig is found', async () => {
    const c = captureIO();
    expect(await main([], { HOME: emptyHome }, c.io)).toBe(1);
    expect(c.err()).toContain(
      'image-automation-controller: failed to load kubeconfig: no configuration found; tried --kubeconfig (not set)',
    );
  });

  it.each(commonBadFlags.map(([argv, message]) => [[...argv], message] as const))(
    'exits 2 on bad flags %j',
    async (argv, message) => {
      const c = captureIO();
      expect(await main(argv, { HOME: emptyHome }, c.io)).toBe(2);
      expect(c.err()).toContain(`image-automation-controller: ${message}`);
      expect(c.out()).toBe('');
    },
  );
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
    expect(config).not.toHaveProperty('requeueDependency');
    expect(config).not.toHaveProperty('intervalJitterPercentage');
  });

  it('has the Git feature gates on by default except sparse checkout', () => {
    expect(config.featureGates).toMatchObject({
      GitForcePushBranch: true,
      GitShallowClone: true,
      GitAllBranchReferences: true,
      GitSparseCheckout: false,
    });
  });
});
