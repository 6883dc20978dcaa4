import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from './label-selector.ts';

describe('parseLabelSelector', () => {
  const labels = { app: 'web', tier: 'front', 'sharding.fluxcd.io/key': 'shard1' };

  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=api', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['sharding.fluxcd.io/key=shard1', true],
    ['sharding.fluxcd.io/key in (shard1, shard2)', true],
    ['sharding.fluxcd.io/key notin (shard1)', false],
    ['!sharding.fluxcd.io/key', false],
    ['!missing', true],
    ['app', true],
    ['missing', false],
    ['app=web,tier in (front,back),!missing', true],
    ['app=web,tier=back', false],
  ])('%j → %s', (sel, want) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(want);
  });

  it('matches objects without labels only against negative requirements', () => {
    expect(parseLabelSelector('!a,b!=c,d notin (x)').matches(undefined)).toBe(true);
    expect(parseLabelSelector('a').matches(undefined)).toBe(false);
  });

  it('rejects malformed requirements', () => {
    expect(() => parseLabelSelector('a=b=c')).toThrow('invalid requirement "a=b=c"');
    expect(() => parseLabelSelector('a in b')).toThrow('failed to parse label selector');
  });
});
