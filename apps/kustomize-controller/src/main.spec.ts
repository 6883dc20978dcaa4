import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { captureIO, commonBadFlags, writeTestKubeconfig } from '@flux-ts/testing';
import { main, kustomizeControllerFeatureGates, kustomizeControllerFlags, kustomizeControllerNotice } from './index.ts';

// The shared suite asserts the "not implemented" start path; this controller runs, so its main tests are below
// (the start path itself is covered by main.int.spec.ts against the API server).
describe('kustomize-controller main', () => {
  let dir: string;
  let emptyHome: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-kustomize-controller-'));
    emptyHome = join(dir, 'home');
    mkdirSync(emptyHome);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the notice and every flag for --help, exit 0', async () => {
    const c = captureIO();
    expect(await main(['--help'], {}, c.io)).toBe(0);
    const out = c.out();
    expect(out.split('\n')[0]).toBe(kustomizeControllerNotice);
    expect(kustomizeControllerNotice).toContain('reconciles Kustomizations');
    expect(kustomizeControllerNotice).toContain('SOPS decryption with age and OpenPGP keys');
    expect(kustomizeControllerNotice).toContain('not implemented yet: SOPS with HashiCorp Vault or cloud KMS');
    expect(out).toContain('Usage of kustomize-controller:');
    for (const flag of kustomizeControllerFlags) expect(out).toMatch(new RegExp(`^ +--${flag.name}( |$)`, 'm'));
    for (const gate of Object.keys(kustomizeControllerFeatureGates))
      expect(out).toMatch(new RegExp(`^ +${gate} +(true|false)$`, 'm'));
    expect(out.split('\n').find((l) => l.trimStart().startsWith('--concurrent-ssa int '))).toContain('(default 4)');
    expect(c.err()).toBe('');
  });

  it('exits 1 with the sources tried when no kubeconfig is found', async () => {
    const c = captureIO();
    expect(await main([], { HOME: emptyHome }, c.io)).toBe(1);
    expect(c.err()).toContain(
      'kustomize-controller: failed to load kubeconfig: no configuration found; tried --kubeconfig (not set)',
    );
  });

  it('refuses --enable-leader-election without RUNTIME_NAMESPACE at start, instead of never leading (issue 26)', async () => {
    const c = captureIO();
    const kubeconfig = writeTestKubeconfig(dir);
    const code = await main(['--kubeconfig', kubeconfig, '--enable-leader-election'], { HOME: emptyHome }, c.io);
    expect(code).not.toBe(0);
    expect(c.err()).toContain(
      'kustomize-controller: unable to find leader election namespace: not running in-cluster, please specify LeaderElectionNamespace',
    );
  });

  it.each(commonBadFlags.map(([argv, message]) => [[...argv], message] as const))(
    'exits 2 on bad flags %j',
    async (argv, message) => {
      const c = captureIO();
      expect(await main(argv, { HOME: emptyHome }, c.io)).toBe(2);
      expect(c.err()).toContain(`kustomize-controller: ${message}`);
      expect(c.out()).toBe('');
    },
  );
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
