import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { captureIO, commonBadFlags } from '@flux-ts/testing';
import { advertisedStorageAddress, main, sourceWatcherFlags, sourceWatcherNotice } from './index.ts';

describe('source-watcher main', () => {
  let dir: string;
  let emptyHome: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-source-watcher-'));
    emptyHome = join(dir, 'home');
    mkdirSync(emptyHome);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the notice and every flag for --help, exit 0', async () => {
    const c = captureIO();
    expect(await main(['--help'], {}, c.io)).toBe(0);
    const out = c.out();
    expect(out.split('\n')[0]).toBe(sourceWatcherNotice);
    expect(sourceWatcherNotice).toContain('reconciles ArtifactGenerators');
    expect(out).toContain('Usage of source-watcher:');
    for (const flag of sourceWatcherFlags) expect(out).toMatch(new RegExp(`^ +--${flag.name}( |$)`, 'm'));
    expect(c.err()).toBe('');
  });

  it('exits 1 with the sources tried when no kubeconfig is found', async () => {
    const c = captureIO();
    expect(await main([], { HOME: emptyHome }, c.io)).toBe(1);
    expect(c.err()).toContain(
      'source-watcher: failed to load kubeconfig: no configuration found; tried --kubeconfig (not set)',
    );
  });

  it.each(commonBadFlags.map(([argv, message]) => [[...argv], message] as const))(
    'exits 2 on bad flags %j',
    async (argv, message) => {
      const c = captureIO();
      expect(await main(argv, { HOME: emptyHome }, c.io)).toBe(2);
      expect(c.err()).toContain(`source-watcher: ${message}`);
      expect(c.out()).toBe('');
    },
  );
});

describe('source-watcher flags', () => {
  it('defaults match upstream cmd/main.go and fluxcd/pkg artifact/config', () => {
    expect(parseFlags(sourceWatcherFlags, [], {})).toMatchObject({
      concurrent: 10,
      requeueDependency: 5_000,
      httpRetry: 9,
      reconciliationTimeout: 600_000,
      storagePath: '/data',
      storageAddr: { host: '', port: 9090 },
      storageAdvAddr: '',
      artifactRetentionTtl: 60_000,
      artifactRetentionRecords: 2,
      artifactDigestAlgo: 'sha256',
      noCrossNamespaceRefs: false,
      watchAllNamespaces: true,
    });
  });

  it('reads the storage flags from STORAGE_PATH, STORAGE_ADDRESS and STORAGE_ADV_ADDR', () => {
    expect(
      parseFlags(sourceWatcherFlags, [], {
        STORAGE_PATH: '/var/sw',
        STORAGE_ADDRESS: ':9191',
        STORAGE_ADV_ADDR: 'source-watcher.flux-system.svc.cluster.local.',
      }),
    ).toMatchObject({
      storagePath: '/var/sw',
      storageAddr: { host: '', port: 9191 },
      storageAdvAddr: 'source-watcher.flux-system.svc.cluster.local.',
    });
  });

  it('advertises --storage-adv-addr, else --storage-addr with the host name', () => {
    const storageAddr = { host: '', port: 9090 };
    expect(advertisedStorageAddress({ storageAdvAddr: 'sw.svc', storageAddr, hostname: 'pod' })).toBe('sw.svc');
    expect(advertisedStorageAddress({ storageAdvAddr: '', storageAddr, hostname: 'pod' })).toBe('pod:9090');
  });
});
