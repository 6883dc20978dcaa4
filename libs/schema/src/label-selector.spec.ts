import { describe, expect, it } from 'vitest';
import {
  LabelSelectorError,
  matchesLabelRequirements,
  parseLabelSelector,
  requirementMatches,
  type LabelRequirement,
} from './label-selector.ts';

const QNAME =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const matches = (selector: string, labels?: Record<string, string>): boolean =>
  matchesLabelRequirements(parseLabelSelector(selector), labels);

describe('parseLabelSelector', () => {
  // k8s.io/apimachinery/pkg/labels TestSetSelectorParser (valid inputs)
  it.each<[string, LabelRequirement[]]>([
    ['', []],
    ['\rx', [{ key: 'x', operator: 'exists', values: [] }]],
    [
      'this-is-another-dns.domain.com/key-with-dash in (so,what)',
      [{ key: 'this-is-another-dns.domain.com/key-with-dash', operator: 'in', values: ['so', 'what'] }],
    ],
    [
      '0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)',
      [{ key: '0.1.2.domain/99', operator: 'notin', values: ['10.10.100.1', 'tick.tack.clock'] }],
    ],
    ['foo  in\t (abc)', [{ key: 'foo', operator: 'in', values: ['abc'] }]],
    ['x notin\n (abc)', [{ key: 'x', operator: 'notin', values: ['abc'] }]],
    ['x in (abc,)', [{ key: 'x', operator: 'in', values: ['', 'abc'] }]],
    ['x in ()', [{ key: 'x', operator: 'in', values: [''] }]],
    ['x notin ( )', [{ key: 'x', operator: 'notin', values: [''] }]],
    ['x notin (, a)', [{ key: 'x', operator: 'notin', values: ['', 'a'] }]],
    [
      'x notin (abc,,def),bar,z in (),w',
      [
        { key: 'bar', operator: 'exists', values: [] },
        { key: 'w', operator: 'exists', values: [] },
        { key: 'x', operator: 'notin', values: ['', 'abc', 'def'] },
        { key: 'z', operator: 'in', values: [''] },
      ],
    ],
    ['a in (x,y,notin, z,in)', [{ key: 'a', operator: 'in', values: ['in', 'notin', 'x', 'y', 'z'] }]],
    [
      'x=a,y!=b,z==c,!w',
      [
        { key: 'w', operator: '!', values: [] },
        { key: 'x', operator: '=', values: ['a'] },
        { key: 'y', operator: '!=', values: ['b'] },
        { key: 'z', operator: '==', values: ['c'] },
      ],
    ],
    [
      'x= ,z= ',
      [
        { key: 'x', operator: '=', values: [''] },
        { key: 'z', operator: '=', values: [''] },
      ],
    ],
    [
      'x>1,z<5',
      [
        { key: 'x', operator: 'gt', values: ['1'] },
        { key: 'z', operator: 'lt', values: ['5'] },
      ],
    ],
    ['notin=in', [{ key: 'notin', operator: '=', values: ['in'] }]],
    // a NUL byte ends an identifier; after white space it ends the input (the lexer's 0 sentinel)
    [
      'a\u0000,b',
      [
        { key: 'a', operator: 'exists', values: [] },
        { key: 'b', operator: 'exists', values: [] },
      ],
    ],
    ['a \u0000,b', [{ key: 'a', operator: 'exists', values: [] }]],
  ])('%j', (selector, want) => {
    expect(parseLabelSelector(selector)).toEqual(want);
  });

  // the texts labels.Parse returns (and the kube-apiserver answers in a 400)
  it.each([
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['x,,y', "found ',', expected: identifier after ','"],
    ['a in (xyz),', "found '', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
    ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in (x=)', "unable to parse requirement: found '=', expected: ',' or ')'"],
    ['a in (,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    [
      'x<a',
      `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${LABEL_VALUE}`],
    [
      'x>_1',
      `unable to parse requirement: [values[0]: Invalid value: "_1": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: "_1": ${LABEL_VALUE}]`,
    ],
    ['a_', `unable to parse requirement: <nil>: Invalid value: "a_": name part ${QNAME}`],
    [
      'Example.com/a',
      `unable to parse requirement: <nil>: Invalid value: "Example.com/a": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    ['/a', `unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty`],
    ['a/', `unable to parse requirement: <nil>: Invalid value: "a/": name part must be non-empty; name part ${QNAME}`],
    [
      'a/b/c',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${QNAME} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      `${'k'.repeat(64)}`,
      `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`,
    ],
    [
      `k=${'v'.repeat(64)}`,
      `unable to parse requirement: values[0][k]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
    ],
  ])('rejects %j', (selector, message) => {
    let err: unknown;
    try {
      parseLabelSelector(selector);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabelSelectorError);
    expect((err as Error).message).toBe(message);
  });
});

describe('matchesLabelRequirements', () => {
  // k8s.io/apimachinery/pkg/labels TestSelectorMatches
  it.each<[string, Record<string, string>, boolean]>([
    ['', { x: 'y' }, true],
    ['x=y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x', { x: 'z' }, true],
    ['!x', { y: 'z' }, true],
    ['x>1', { x: '2' }, true],
    ['x<1', { x: '0' }, true],
    ['x=z', {}, false],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['x', { y: 'z' }, false],
    ['!x', { x: 'z' }, false],
    ['x>1', { x: '0' }, false],
    ['x<1', { x: '2' }, false],
    ['x>1', { x: 'v2' }, false],
    ['x>1', {}, false],
    ['x in (a,b)', { x: 'b' }, true],
    ['x notin (a,b)', { x: 'b' }, false],
    ['x notin (a,b)', {}, true],
    ['x notin (),y', { y: '' }, true],
    ['x in ()', { y: 'baz' }, false],
    ['x>9223372036854775806', { x: '9223372036854775807' }, true],
    ['x>1', { x: '9223372036854775808' }, false],
  ])('%j on %j → %s', (selector, labels, want) => {
    expect(matches(selector, labels)).toBe(want);
  });

  it('treats missing labels as none', () => {
    expect(matches('!a,b!=c,d notin (x)')).toBe(true);
    expect(matches('a')).toBe(false);
    expect(requirementMatches({ key: 'a', operator: '!', values: [] })).toBe(true);
  });

  it('does not take inherited properties for labels', () => {
    expect(matches('toString')).toBe(false);
  });
});
