import { describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { describeControllerMain } from '@flux-ts/testing';
import {
  main,
  imageReflectorControllerFeatureGates,
  imageReflectorControllerFlags,
  imageReflectorControllerNotice,
} from './index.ts';

describeControllerMain({
  controller: 'image-reflector-controller',
  main,
  flags: imageReflectorControllerFlags,
  featureGates: imageReflectorControllerFeatureGates,
  notice: imageReflectorControllerNotice,
  omittedKeys: ['requeueDependency', 'intervalJitterPercentage'],
  helpDefaultLine: ['--gc-interval uint16 ', '(default 10)'],
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
  });

  it('does not read STORAGE_PATH (upstream image-reflector has no env fallback)', () => {
    expect(parseFlags(imageReflectorControllerFlags, [], { STORAGE_PATH: '/elsewhere' }).storagePath).toBe('/data');
  });
});
