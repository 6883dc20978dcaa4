import { describe, it, expect } from 'vitest';
import {
  imagePolicySetterName,
  ImagePolicyMarker,
  ImagePolicySetterSuffixes,
  ImageAutomationReasons,
  ImageReflectorReasons,
} from './constants.ts';

describe('image constants', () => {
  it('names setters like the upstream markers', () => {
    expect(ImagePolicyMarker).toBe('$imagepolicy');
    expect(imagePolicySetterName('flux-system', 'account')).toBe('flux-system:account');
    expect(imagePolicySetterName('flux-system', 'account', ImagePolicySetterSuffixes.Tag)).toBe(
      'flux-system:account:tag',
    );
    expect(Object.values(ImagePolicySetterSuffixes).sort()).toEqual(['digest', 'name', 'tag']);
  });

  it('keeps every reason equal to its key, as upstream spells them', () => {
    for (const reasons of [ImageAutomationReasons, ImageReflectorReasons]) {
      for (const [key, value] of Object.entries(reasons)) expect(value).toBe(key);
    }
    expect(ImageAutomationReasons.InvalidSourceConfiguration).toBe('InvalidSourceConfiguration');
  });
});
