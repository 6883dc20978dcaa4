import { describe, it, expect } from 'vitest';
import { commonFlags } from '../config/common-flags.ts';
import { parseFlags } from '../config/flags.ts';
import { LeaderElectionNamespaceMissing, runtimeSettingsFromFlags } from './from-flags.ts';

describe('runtimeSettingsFromFlags', () => {
  it('uses Flux defaults: no leader election, :8080/:9440, 750ms→15m backoff', () => {
    const flags = parseFlags(commonFlags, [], {});
    const s = runtimeSettingsFromFlags('source-controller', flags, { runtimeNamespace: 'flux-system' });
    expect(s.leaderElection).toBeUndefined();
    expect(s.metricsAddr).toEqual({ host: '', port: 8080 });
    expect(s.healthAddr).toEqual({ host: '', port: 9440 });
    expect(s.controller).toEqual({ concurrent: 4, minRetryDelay: 750, maxRetryDelay: 900_000 });
    expect(s.log).toEqual({ level: 'info', encoding: 'json' });
  });

  it('names the Lease after the controller, with a selector hash when sharded', () => {
    const flags = parseFlags(
      commonFlags,
      [
        '--enable-leader-election',
        '--watch-label-selector=sharding.fluxcd.io/key=shard1',
        '--leader-election-lease-duration=40s',
      ],
      {},
    );
    const s = runtimeSettingsFromFlags('kustomize-controller', flags, { runtimeNamespace: 'flux-system' });
    expect(s.leaderElection).toMatchObject({
      namespace: 'flux-system',
      leaseDurationMs: 40_000,
      renewDeadlineMs: 30_000,
      retryPeriodMs: 5_000,
      releaseOnCancel: true,
    });
    expect(s.leaderElection!.name).toMatch(/^kustomize-controller-leader-election-[0-9a-f]{8}$/);
    const plain = runtimeSettingsFromFlags(
      'kustomize-controller',
      parseFlags(commonFlags, ['--enable-leader-election'], {}),
      {
        runtimeNamespace: 'flux-system',
      },
    );
    expect(plain.leaderElection!.name).toBe('kustomize-controller-leader-election');
  });

  it('rejects unknown log levels and encodings', () => {
    const bad = parseFlags(commonFlags, ['--log-level=verbose'], {});
    expect(() => runtimeSettingsFromFlags('x', bad, { runtimeNamespace: 'ns' })).toThrow(
      /invalid --log-level "verbose"/,
    );
    const enc = parseFlags(commonFlags, ['--log-encoding=xml'], {});
    expect(() => runtimeSettingsFromFlags('x', enc, { runtimeNamespace: 'ns' })).toThrow(/invalid --log-encoding/);
  });

  it('refuses leader election without a namespace, as controller-runtime does, instead of never leading', () => {
    const flags = parseFlags(commonFlags, ['--enable-leader-election'], {});
    expect(() => runtimeSettingsFromFlags('source-controller', flags, { runtimeNamespace: '' })).toThrow(
      LeaderElectionNamespaceMissing,
    );
    const off = parseFlags(commonFlags, [], {});
    expect(runtimeSettingsFromFlags('source-controller', off, { runtimeNamespace: '' }).leaderElection).toBeUndefined();
  });
});
