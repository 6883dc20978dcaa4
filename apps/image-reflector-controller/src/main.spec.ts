import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { captureIO, commonBadFlags } from '@flux-ts/testing';
import {
  main,
  imageReflectorControllerFeatureGates,
  imageReflectorControllerFlags,
  imageReflectorControllerNotice,
} from './index.ts';

// The shared suite asserts the "not implemented" start path; this controller runs, so its main tests are below
// (the start path itself is covered by main.int.spec.ts against the API server).
describe('image-reflector-controller main', () => {
  let dir: string;
  let emptyHome: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-irc-'));
    emptyHome = join(dir, 'home');
    mkdirSync(emptyHome);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the notice and every flag for --help, exit 0', async () => {
    const c = captureIO();
    expect(await main(['--help'], {}, c.io)).toBe(0);
    const out = c.out();
    expect(out.split('\n')[0]).toBe(imageReflectorControllerNotice);
    expect(imageReflectorControllerNotice).toContain('reconciles ImageRepositories');
    expect(out).toContain('Usage of image-reflector-controller:');
    for (const flag of imageReflectorControllerFlags) expect(out).toMatch(new RegExp(`^ +--${flag.name}( |$)`, 'm'));
    for (const gate of Object.keys(imageReflectorControllerFeatureGates))
      expect(out).toMatch(new RegExp(`^ +${gate} +(true|false)$`, 'm'));
    expect(out.split('\n').find((l) => l.trimStart().startsWith('--gc-interval uint16 '))).toContain('(default 10)');
    expect(c.err()).toBe('');
  });

  it('exits 1 with the sources tried when no kubeconfig is found', async () => {
    const c = captureIO();
    expect(await main([], { HOME: emptyHome }, c.io)).toBe(1);
    expect(c.err()).toContain(
      'image-reflector-controller: failed to load kubeconfig: no configuration found; tried --kubeconfig (not set)',
    );
  });

  it.each(commonBadFlags.map(([argv, message]) => [[...argv], message] as const))(
    'exits 2 on bad flags %j',
    async (argv, message) => {
      const c = captureIO();
      expect(await main(argv, { HOME: emptyHome }, c.io)).toBe(2);
      expect(c.err()).toContain(`image-reflector-controller: ${message}`);
      expect(c.out()).toBe('');
    },
  );
});

describe('image-reflector-controller flags', () => {
  const config = parseFlags(imageReflectorControllerFlags, [], {});

  it('defaults match upstream', () => {
    expect(config).toMatchObject({
      concurrent: 4,
      storagePath: '/data',
      storageValueLogFileSize: 268435456,
      storageCompressionThreshold: 65536,
      gcInterval: 10,
      tokenCacheMaxSize: 100,
      noCrossNamespaceRefs: false,
    });
    expect(config).not.toHaveProperty('requeueDependency');
    expect(config).not.toHaveProperty('intervalJitterPercentage');
  });

  it('does not read STORAGE_PATH (upstream image-reflector has no env fallback)', () => {
    expect(parseFlags(imageReflectorControllerFlags, [], { STORAGE_PATH: '/elsewhere' }).storagePath).toBe('/data');
  });
});
