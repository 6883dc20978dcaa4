import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { captureIO, commonBadFlags, writeTestKubeconfig } from '@flux-ts/testing';
import { main, helmControllerFeatureGates, helmControllerFlags, helmControllerNotice } from './index.ts';

// The shared suite asserts the "not implemented" start path; this controller runs, so its main tests are below
// (the start path itself is covered by main.int.spec.ts against the API server).
describe('helm-controller main', () => {
  let dir: string;
  let emptyHome: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-helm-controller-'));
    emptyHome = join(dir, 'home');
    mkdirSync(emptyHome);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the notice and every flag for --help, exit 0', async () => {
    const c = captureIO();
    expect(await main(['--help'], {}, c.io)).toBe(0);
    const out = c.out();
    expect(out.split('\n')[0]).toBe(helmControllerNotice);
    expect(helmControllerNotice).toContain('reconciles HelmReleases');
    expect(helmControllerNotice).toContain('chartRef to a HelmChart, an OCIRepository or an ExternalArtifact');
    expect(out).toContain('Usage of helm-controller:');
    for (const flag of helmControllerFlags) expect(out).toMatch(new RegExp(`^ +--${flag.name}( |$)`, 'm'));
    for (const gate of Object.keys(helmControllerFeatureGates))
      expect(out).toMatch(new RegExp(`^ +${gate} +(true|false)$`, 'm'));
    expect(out.split('\n').find((l) => l.trimStart().startsWith('--graceful-shutdown-timeout duration '))).toContain(
      '(default 10m0s)',
    );
    expect(c.err()).toBe('');
  });

  it('exits 1 with the sources tried when no kubeconfig is found', async () => {
    const c = captureIO();
    expect(await main([], { HOME: emptyHome }, c.io)).toBe(1);
    expect(c.err()).toContain(
      'helm-controller: failed to load kubeconfig: no configuration found; tried --kubeconfig (not set)',
    );
  });

  it('exits 1 for a default kubeconfig service account without ObjectLevelWorkloadIdentity, as upstream', async () => {
    const c = captureIO();
    const argv = [`--kubeconfig=${writeTestKubeconfig(dir)}`, '--default-kubeconfig-service-account=sa'];
    expect(await main(argv, { HOME: emptyHome }, c.io)).toBe(1);
    expect(c.err()).toBe(
      'helm-controller: invalid configuration: cannot set default service accounts when the feature gate ObjectLevelWorkloadIdentity is not enabled\n',
    );
  });

  it('exits 1 when the OOM watcher cannot read its cgroup files', async () => {
    const c = captureIO();
    const absent = join(dir, 'no-cgroup', 'memory.current');
    const argv = [
      `--kubeconfig=${writeTestKubeconfig(dir)}`,
      '--feature-gates=OOMWatch=true',
      `--oom-watch-current-memory-path=${absent}`,
      '--health-addr=127.0.0.1:0',
      '--metrics-addr=127.0.0.1:0',
    ];
    expect(await main(argv, { HOME: emptyHome }, c.io)).toBe(1);
    expect(c.err()).toContain(`helm-controller: unable to setup OOM watcher: failed to stat "${absent}"`);
  });

  it.each(commonBadFlags.map(([argv, message]) => [[...argv], message] as const))(
    'exits 2 on bad flags %j',
    async (argv, message) => {
      const c = captureIO();
      expect(await main(argv, { HOME: emptyHome }, c.io)).toBe(2);
      expect(c.err()).toContain(`helm-controller: ${message}`);
      expect(c.out()).toBe('');
    },
  );
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
