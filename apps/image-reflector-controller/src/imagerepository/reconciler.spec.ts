import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ObjectReader, PatchClient } from '@flux-ts/runtime';
import { EcrTokenCache } from '../registry/ecr-token-cache.ts';
import { parseImageReference } from '../registry/options.ts';
import { TagStore } from '../storage/tag-store.ts';
import { ImageRepositoryReconciler, ScanReasons, filterOutTags, sortTagsAndGetLatestTags } from './reconciler.ts';
import type { ImageRepositoryObject } from './reconciler.ts';

const root = mkdtempSync(join(tmpdir(), 'irc-should-scan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('filterOutTags and sortTagsAndGetLatestTags', () => {
  it('drops the excluded tags (default: cosign signatures)', () => {
    expect(filterOutTags(['1.0.0', 'sha256-abc.sig', 'latest'], ['^.*\\.sig$'])).toEqual(['1.0.0', 'latest']);
    expect(filterOutTags(['a', 'b'], [])).toEqual(['a', 'b']);
    expect(() => filterOutTags(['a'], ['('])).toThrow(/^failed to compile regex \(: error parsing regexp/);
  });
  it('sorts in place in descending byte order and keeps ten', () => {
    const tags = Array.from({ length: 12 }, (_, i) => `1.0.${i}`);
    expect(sortTagsAndGetLatestTags(tags)).toEqual([
      '1.0.9',
      '1.0.8',
      '1.0.7',
      '1.0.6',
      '1.0.5',
      '1.0.4',
      '1.0.3',
      '1.0.2',
      '1.0.11',
      '1.0.10',
    ]);
    expect(tags[11]).toBe('1.0.0');
  });
});

describe('shouldScan (upstream TestImageRepositoryReconciler_shouldScan)', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const tags = new TagStore({ root, compressionThreshold: 65536 });
  const r = new ImageRepositoryReconciler({
    reader: {} as ObjectReader,
    patchClient: {} as PatchClient,
    access: { reader: {} as ObjectReader, ecr: new EcrTokenCache() },
    tags,
    fieldManager: 'test',
    now: () => now,
  });
  const base = (): ImageRepositoryObject =>
    ({
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageRepository',
      metadata: { name: 'app', namespace: 'ns', generation: 1 },
      spec: { image: 'ghcr.io/org/app', interval: '5m' },
      status: {
        canonicalImageName: 'ghcr.io/org/app',
        observedExclusionList: ['^.*\\.sig$'],
        lastScanResult: { tagCount: 1, scanTime: new Date(now - 2 * 60_000).toISOString() },
      },
    }) as ImageRepositoryObject;
  const ref = parseImageReference('ghcr.io/org/app');

  it('scans when never scanned, on a request, a new name, a new exclusion list, or no stored tags', async () => {
    const never = base();
    delete never.status!.lastScanResult;
    expect(await r.shouldScan(never, ref)).toEqual({ scan: true, whenMs: 300_000, why: ScanReasons.NeverScanned });
    const requested = base();
    requested.metadata.annotations = { 'reconcile.fluxcd.io/requestedAt': 'now' };
    expect((await r.shouldScan(requested, ref)).why).toBe(ScanReasons.ReconcileRequested);
    const renamed = base();
    renamed.status!.canonicalImageName = 'ghcr.io/org/old';
    expect((await r.shouldScan(renamed, ref)).why).toBe(ScanReasons.NewImageName);
    const excl = base();
    excl.spec.exclusionList = ['^dev-'];
    expect((await r.shouldScan(excl, ref)).why).toBe(ScanReasons.UpdatedExclusionList);
    expect((await r.shouldScan(base(), ref)).why).toBe(ScanReasons.EmptyDatabase);
  });

  it('waits for the interval once tags are stored, and scans when it elapsed', async () => {
    await tags.setTags({ namespace: 'ns', name: 'app' }, ['1.0.0']);
    expect(await r.shouldScan(base(), ref)).toEqual({ scan: false, whenMs: 180_000, why: '' });
    const handled = base();
    handled.metadata.annotations = { 'reconcile.fluxcd.io/requestedAt': 'now' };
    handled.status!.lastHandledReconcileAt = 'now';
    expect((await r.shouldScan(handled, ref)).scan).toBe(false);
    const old = base();
    old.status!.lastScanResult!.scanTime = new Date(now - 5 * 60_000 + 500).toISOString();
    expect(await r.shouldScan(old, ref)).toEqual({ scan: true, whenMs: 300_000, why: ScanReasons.Interval });
  });
});
