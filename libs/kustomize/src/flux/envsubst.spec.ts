import { describe, expect, it } from 'vitest';
import { substitute, substituteResource, isSubstitutionDisabled } from './substitute.ts';

const vars = { name: 'podinfo', ver: '6.5.4', empty: '', region: 'eu-west-1' };

describe('substitute (Flux envsubst dialect)', () => {
  const cases: [string, string][] = [
    ['image: ${name}:${ver}', 'image: podinfo:6.5.4'],
    ['x: ${missing:=fallback}', 'x: fallback'],
    ['x: ${empty:=fallback}', 'x: fallback'],
    ['x: ${name:=fallback}', 'x: podinfo'],
    ['x: ${missing=fb}', 'x: fb'],
    ['x: ${missing:-a${name}b}', 'x: apodinfob'],
    ['x: ${name:3}', 'x: info'],
    ['x: ${name:0:3}', 'x: pod'],
    ['x: ${name:-4}', 'x: podinfo'],
    ['x: ${region/-/_}', 'x: eu_west-1'],
    ['x: ${region//-/_}', 'x: eu_west_1'],
    ['x: ${region/#eu/us}', 'x: us-west-1'],
    ['x: ${region/%1/2}', 'x: eu-west-2'],
    ['x: ${name^^}', 'x: PODINFO'],
    ['x: ${name^}', 'x: Podinfo'],
    ['x: ${#name}', 'x: 7'],
    ['x: ${ver%.*}', 'x: 6.5'],
    ['x: ${ver%%.*}', 'x: 6'],
    ['x: ${ver#*.}', 'x: 5.4'],
    ['x: $${name}', 'x: ${name}'],
    ['x: $name', 'x: $name'],
    ['x: $$', 'x: $'],
    ['x: a\\/b', 'x: a\\/b'],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => {
      expect(substitute(input, vars)).toBe(want);
    });
  }

  it('replaces an unset variable with an empty string when not strict', () => {
    expect(substitute('x: "${missing}"', vars)).toBe('x: ""');
  });

  it('fails in strict mode naming the variable, unless a default handles it', () => {
    expect(() => substitute('x: ${missing}', vars, { strict: true })).toThrow(
      'variable substitution failed: variable not set (strict mode): "missing"',
    );
    expect(() => substitute('x: ${missing^^}', vars, { strict: true })).toThrow('"missing"');
    expect(substitute('x: ${missing:=d}', vars, { strict: true })).toBe('x: d');
  });

  it('rejects invalid variable names and bad syntax', () => {
    expect(() => substitute('x', { 'bad-name': '1' })).toThrow(
      "'bad-name' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'",
    );
    expect(() => substitute('x: ${name', vars)).toThrow('variable substitution failed: missing closing brace');
    expect(() => substitute('x: ${}', vars)).toThrow('unable to parse variable name');
  });
});

describe('substituteResource', () => {
  const cm = (meta: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', ...meta },
    data: { v: '${ver}' },
  });
  it('substitutes through YAML and honours the opt-out', () => {
    expect(substituteResource(cm(), vars)).toEqual({ ...cm(), data: { v: '6.5.4' } });
    const off = cm({ annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } });
    expect(isSubstitutionDisabled(off)).toBe(true);
    expect(substituteResource(off, vars)).toBe(off);
    const offLabel = cm({ labels: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } });
    expect(substituteResource(offLabel, vars)).toBe(offLabel);
  });
  it('does nothing without variables unless always is set', () => {
    const r = cm();
    expect(substituteResource(r, {})).toBe(r);
    // `v: ${ver}` becomes `v: ` which YAML reads as null, as in Flux
    expect(substituteResource(r, {}, { always: true })).toEqual({ ...r, data: { v: null } });
  });
});
