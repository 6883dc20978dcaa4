// What the helm table cannot reach: Helm replaces text/template's `slice` with Sprig's, its values hold no
// functions or structs, and it always runs with missingkey=zero. Expectations follow Go's documented behaviour
// (text/template docs and its exec_test.go).
import { describe, expect, it } from 'vitest';
import { ExecError, Template } from './exec.ts';
import { formatFloat } from './fmt.ts';
import { ParseError } from './parse.ts';
import { GoFunc, GoInt, GoStruct } from './values.ts';

function run(text: string, data: unknown = {}, setup?: (t: Template) => void): string {
  const t = new Template('t');
  setup?.(t);
  t.parse(text);
  return t.execute(data);
}

describe('builtin slice (Go semantics; Helm overrides it with Sprig)', () => {
  it('slices strings by bytes and lists with 1 to 3 indexes', () => {
    expect(run('{{slice "hello" 1 3}} {{slice "hello" 2}} {{slice "hello"}}')).toBe('el llo hello');
    expect(run('{{slice .l 1 2}} {{slice .l 0 1 2}}', { l: [1n, 2n, 3n] })).toBe('[2] [1]');
  });
  it('reports Go errors', () => {
    expect(() => run('{{slice "abc" 2 1}}')).toThrow('error calling slice: invalid slice index: 2 > 1');
    expect(() => run('{{slice "abc" 0 1 2}}')).toThrow('error calling slice: cannot 3-index slice a string');
    expect(() => run('{{slice .m 1}}', { m: {} })).toThrow("can't slice item of type map[string]interface {}");
  });
});

describe('missingkey option', () => {
  const data = { m: { a: 1n } };
  it('default prints <no value> and lets a missing key of a missing key pass', () => {
    expect(run('{{.m.x}} {{.m.x.y}}', data)).toBe('<no value> <no value>');
  });
  it('zero gives a nil interface, which cannot be indexed further', () => {
    expect(run('{{.m.x}}', data, (t) => t.option('missingkey=zero'))).toBe('<no value>');
    expect(() => run('{{.m.x.y}}', data, (t) => t.option('missingkey=zero'))).toThrow(
      'nil pointer evaluating interface {}.y',
    );
  });
  it('error fails on the missing key', () => {
    expect(() => run('{{.m.x}}', data, (t) => t.option('missingkey=error'))).toThrow(
      'template: t:1:4: executing "t" at <.m.x>: map has no entry for key "x"',
    );
  });
  it('rejects unknown options', () => {
    expect(() => new Template('t').option('missingkey=nope')).toThrow('unrecognized option');
  });
});

describe('function maps', () => {
  const upper = new GoFunc(['string'], (s: string) => s.toUpperCase());
  const add = new GoFunc(['int', 'int'], (a: bigint, b: bigint) => a + b);
  const fails = new GoFunc([], () => {
    throw new Error('boom');
  });
  it('calls added functions with Go argument conversion', () => {
    const f = (t: Template): void => void t.funcs({ upper, add, fails });
    expect(run('{{upper "ab"}} {{"cd" | upper}} {{add 1 2}}', {}, f)).toBe('AB CD 3');
    expect(() => run('{{upper 1}}', {}, f)).toThrow('expected string; found 1');
    expect(() => run('{{add 1 "x"}}', {}, f)).toThrow('expected integer; found "x"');
    expect(() => run('{{upper .n}}', { n: 1n }, f)).toThrow('wrong type for value; expected string; got int');
    expect(() => run('{{fails}}', {}, f)).toThrow(
      'template: t:1:2: executing "t" at <fails>: error calling fails: boom',
    );
  });
  it('makes names known to the parser only once added', () => {
    expect(() => run('{{upper "x"}}')).toThrow(ParseError);
  });
  it('lets a function map replace a builtin', () => {
    const f = (t: Template): void => void t.funcs({ len: new GoFunc(['any'], () => 'mine') });
    expect(run('{{len "abc"}}', {}, f)).toBe('mine');
  });
  it('makes break a function name when the map has one', () => {
    const f = (t: Template): void => void t.funcs({ break: new GoFunc([], () => 'fn') });
    expect(run('{{range 2}}{{break}}{{end}}', {}, f)).toBe('fnfn');
  });
});

describe('call, structs and methods', () => {
  const fn = new GoFunc(['int'], (n: bigint) => n * 2n);
  it('call invokes a func value with converted arguments', () => {
    expect(run('{{call .f 21}}', { f: fn })).toBe('42');
    expect(() => run('{{call .f "x"}}', { f: fn })).toThrow(
      'error calling call: arg 0: value has type string; should be int',
    );
    expect(() => run('{{call .f}}', { f: fn })).toThrow(
      'error calling call: wrong number of args for .f: got 0 want 1',
    );
  });
  it('evaluates struct fields and methods, and prints structs', () => {
    const s = new GoStruct(
      'main.T',
      new Map<string, unknown>([
        ['Name', 'x'],
        ['N', new GoInt('int64', 3n)],
      ]),
      {
        Greet: new GoFunc(['string'], (who: string) => `hi ${who}`),
      },
    );
    expect(run('{{.S.Name}} {{.S.Greet "bob"}} {{.S}} {{printf "%+v" .S}}', { S: s })).toBe(
      'x hi bob {x 3} {Name:x N:3}',
    );
    expect(() => run('{{.Nope}}', s)).toThrow("can't evaluate field Nope in type main.T");
    // reached through a map, the struct is an interface{} value
    expect(() => run('{{.S.Nope}}', { S: s })).toThrow("can't evaluate field Nope in type interface {}");
  });
});

describe('template sets', () => {
  it('shares definitions across templates parsed with new(), later parses replacing definitions', () => {
    const t = new Template('a');
    t.parse('{{define "x"}}one{{end}}[{{template "x"}}]');
    t.new('b').parse('{{define "x"}}two{{end}}');
    expect(t.execute({})).toBe('[two]');
    expect(t.executeTemplate('x', {})).toBe('two');
    expect(() => t.executeTemplate('zz', {})).toThrow('template: no template "zz" associated with template "a"');
  });
  it('does not replace a definition by an empty one', () => {
    const t = new Template('a');
    t.parse('{{define "x"}}one{{end}}');
    t.new('b').parse('{{define "x"}} {{end}}');
    expect(t.executeTemplate('x', {})).toBe('one');
  });
  it('supports other delimiters', () => {
    expect(run('<<.a>> {{.a}}', { a: 'x' }, (t) => void t.delims('<<', '>>'))).toBe('x {{.a}}');
  });
  it('reports errors of a definition with the name of the file that defined it', () => {
    const t = new Template('file.tpl');
    t.parse('{{define "d"}}\n  {{index . 3}}{{end}}');
    expect(() => t.executeTemplate('d', [])).toThrow(
      new ExecError('template: file.tpl:2:4: executing "d" at <index . 3>: error calling index: index out of range: 3'),
    );
  });
  it('stops infinite recursion at Go depth limit', () => {
    expect(() => run('{{define "r"}}{{template "r"}}{{end}}{{template "r"}}')).toThrow(
      'exceeded maximum template depth (100000)',
    );
  });
});

describe('formatFloat', () => {
  it('prints the shortest form that reads back as the same float64', () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 2000; i++) {
      const x = (rnd() - 0.5) * Math.pow(10, Math.floor(rnd() * 40) - 20);
      expect(Number(formatFloat(x, 'g', -1))).toBe(x);
      expect(Number(formatFloat(x, 'e', -1))).toBe(x);
    }
  });
});
