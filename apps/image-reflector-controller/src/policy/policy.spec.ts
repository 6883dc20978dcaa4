// The expectations of upstream internal/policy/*_test.go (semver, alphabetical, numerical, filter, factory).
import { describe, expect, it } from 'vitest';
import {
  AlphabeticalPolicy,
  NumericalPolicy,
  RegexFilter,
  SemVerPolicy,
  parseGoFloat,
  policerFromSpec,
} from './policy.ts';
import { compileGoRegexp, expandGoTemplate } from './go-regexp.ts';

function shuffle(list: string[]): string[] {
  // a fixed rotation instead of math/rand: the policies must not depend on the input order
  return [...list.slice(3), ...list.slice(0, 3)].reverse();
}

describe('SemVer', () => {
  it.each(['1.0.x', '^1.0', '=1.0.0', '~1.0', '>=1.0', '>0,<2.0'])('accepts the range %s', (r) => {
    expect(new SemVerPolicy(r).range).toBe(r);
  });
  it.each(['1.0.0p', '1x', 'x1', '-1', 'a', ''])('refuses the range %j', (r) => {
    expect(() => new SemVerPolicy(r)).toThrow(/improper constraint|constraint Parser Error/);
  });
  it.each([
    ['Regular', '1.0.x', ['1.0.0', '1.0.0.1', '1.0.0p', '1.0.1', '1.2.0', '0.1.0'], '1.0.1'],
    ['Regular with prefix', '1.0.x', ['v1.2.3', 'v1.0.0', 'v0.1.0'], 'v1.0.0'],
    ['prerelease only when the range asks', '>=1.0.0', ['1.0.0', '1.1.0-rc.1'], '1.0.0'],
    ['prerelease with -0', '>=1.0.0-0', ['1.0.0', '1.1.0-rc.1'], '1.1.0-rc.1'],
    ['1.2.10 above 1.2.9', '1.x', ['1.2.9', '1.2.10', '1.10.0-rc1', 'latest'], '1.2.10'],
  ])('%s', (_label, range, versions, want) => {
    expect(new SemVerPolicy(range).latest(versions)).toBe(want);
  });
  it.each([
    ['With invalid prefix', ['b1.2.3', 'b1.0.0', 'b0.1.0'], 'unable to determine latest version from provided list'],
    ['With empty list', [], 'version list argument cannot be empty'],
    ['With non-matching version list', ['1.2.0'], 'unable to determine latest version from provided list'],
  ])('%s fails', (_label, versions, msg) => {
    expect(() => new SemVerPolicy('1.0.x').latest(versions)).toThrow(msg);
  });
});

describe('Alphabetical', () => {
  it.each(['', 'ASC', 'DESC', 'asc', 'desc'])('accepts the order %j', (o) => {
    expect(new AlphabeticalPolicy(o).order).toBe(o.toUpperCase() === 'DESC' ? 'DESC' : 'ASC');
  });
  it('refuses another order', () => {
    expect(() => new AlphabeticalPolicy('invalid')).toThrow(
      "invalid order argument provided: 'INVALID', must be one of: ASC, DESC",
    );
  });
  const calver = ['16.04', '16.04.1', '16.10', '20.04', '20.10'];
  const names = ['xenial', 'yakkety', 'zesty', 'artful', 'bionic'];
  const stamps = ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'];
  it.each([
    ['Ubuntu CalVer', undefined, calver, '20.10'],
    ['Ubuntu CalVer descending', 'DESC', calver, '16.04'],
    ['Ubuntu code names', undefined, names, 'zesty'],
    ['Ubuntu code names descending', 'DESC', names, 'artful'],
    ['Timestamps', undefined, stamps, '1606364286'],
    ['Timestamps desc', 'DESC', stamps, '1606234201'],
    ['Timestamps with prefix', undefined, stamps.map((s) => `rel-${s}`), 'rel-1606364286'],
  ])('%s', (_label, order, versions, want) => {
    expect(new AlphabeticalPolicy(order).latest(versions)).toBe(want);
  });
  it('fails on an empty list', () => {
    expect(() => new AlphabeticalPolicy().latest([])).toThrow('version list argument cannot be empty');
  });
});

describe('Numerical', () => {
  it('refuses another order', () => {
    expect(() => new NumericalPolicy('invalid')).toThrow(/invalid order argument provided: 'INVALID'/);
  });
  it.each([
    ['integers ascending', undefined, ['-62', '-88', '73', '72', '15', '16', '15', '29', '-33', '-91'], '73'],
    ['integers descending', 'DESC', ['5', '-8', '-78', '25', '70', '-4', '80', '92', '-20', '-24'], '-78'],
    [
      'floats ascending',
      undefined,
      [
        '47.40896403322944',
        '-27.8520927455902',
        '-27.930666514224427',
        '-31.352485948094568',
        '-50.41072694704882',
        '-21.962849842263736',
        '24.71884721436865',
        '-39.99177354004344',
        '53.47333823144817',
        '3.2008658570411086',
      ],
      '53.47333823144817',
    ],
    [
      'floats descending',
      'DESC',
      [
        '-65.27202780220686',
        '57.82948329142309',
        '22.40184684363291',
        '-86.36934305697784',
        '-90.29082099756083',
        '-12.041712603564264',
        '77.70488240399305',
        '-38.98425003883552',
        '16.06867070412028',
        '53.735674335181216',
      ],
      '-90.29082099756083',
    ],
    ['Unix timestamps ascending', undefined, ['1606234201', '1606364286', '1606334092', '1606334284'], '1606364286'],
    ['Unix timestamps descending', 'DESC', ['1606234201', '1606364286', '1606334092', '1606334284'], '1606234201'],
    ['single value ascending', undefined, ['1'], '1'],
    ['single value descending', 'DESC', ['1'], '1'],
  ])('%s', (_label, order, versions, want) => {
    expect(new NumericalPolicy(order).latest(shuffle(versions))).toBe(want);
  });
  it('fails on a non-numeric tag and on an empty list', () => {
    expect(() => new NumericalPolicy().latest(['0', '1a', 'b'])).toThrow("failed to parse invalid numeric value '1a'");
    expect(() => new NumericalPolicy().latest([])).toThrow('version list argument cannot be empty');
  });
  it('parses floats as Go does', () => {
    expect(parseGoFloat('1e3')).toBe(1000);
    expect(parseGoFloat('0x1p4')).toBe(16);
    expect(parseGoFloat('1_000')).toBe(1000);
    expect(parseGoFloat('1.2.3')).toBeUndefined();
    expect(parseGoFloat('')).toBeUndefined();
  });
});

describe('RegexFilter', () => {
  it.each([
    ['none', ['a'], '', '', ['a']],
    ['valid pattern', ['ver1', 'ver2', 'ver3', 'rel1'], '^ver', '', ['ver1', 'ver2', 'ver3']],
    ['capture group', ['ver1', 'ver2', 'ver3', 'rel1'], 'ver(\\d+)', '$1', ['1', '2', '3']],
    [
      'named group',
      ['main-abc1234-1700000000', 'main-def5678-1700000100', 'latest'],
      '^main-[a-f0-9]+-(?P<ts>[0-9]+)',
      '$ts',
      ['1700000000', '1700000100'],
    ],
  ])('%s', (_label, tags, pattern, extract, want) => {
    const f = new RegexFilter(pattern, extract);
    f.apply(tags);
    expect(f.items().sort()).toEqual(want);
  });
  it('maps an extracted tag back to its original', () => {
    const f = new RegexFilter('^main-[a-f0-9]+-(?P<ts>[0-9]+)', '$ts');
    f.apply(['main-abc-10', 'main-def-9']);
    expect(f.originalTag(new NumericalPolicy().latest(f.items()))).toBe('main-abc-10');
  });
  it('refuses a pattern that does not compile', () => {
    expect(() => new RegexFilter('^(main', '')).toThrow(
      /^invalid regular expression pattern '\^\(main': error parsing regexp/,
    );
  });
});

describe('Go regexp helpers', () => {
  it('expands templates with Go rules', () => {
    const m = compileGoRegexp('(?P<a>x)(y)').exec('xy')!;
    expect(expandGoTemplate('$a-$2-${1}-$$-$3-$', m)).toBe('x-y-x-$--$');
    expect(expandGoTemplate('$1x', m)).toBe('');
  });
  it('takes a leading flag group', () => {
    expect(compileGoRegexp('(?i)^MAIN').test('main-1')).toBe(true);
  });
});

describe('policerFromSpec', () => {
  it('builds each choice and refuses none', () => {
    expect(policerFromSpec({ semver: { range: '1.x' } })).toBeInstanceOf(SemVerPolicy);
    expect(policerFromSpec({ alphabetical: { order: 'desc' } })).toBeInstanceOf(AlphabeticalPolicy);
    expect(policerFromSpec({ numerical: {} })).toBeInstanceOf(NumericalPolicy);
    expect(() => policerFromSpec({})).toThrow('given ImagePolicyChoice object is invalid');
  });
});
