/**
 * Flux's postBuild variable substitution: the fluxcd/pkg envsubst fork of drone/envsubst. Hand-written because
 * no npm package implements this exact dialect (`$$` escapes, strict mode, no bare `$var`, bash-like functions).
 */

/** Options of {@link envsubst}. */
export interface EnvsubstOptions {
  /** Fail on a variable that is not set, unless a default operator (`:=`, `=`, `:-`, …) handles it. */
  strict?: boolean;
}

/** A substitution syntax or strict-mode error. */
export class EnvsubstError extends Error {
  override name = 'EnvsubstError';
}

type Node = { text: string } | { param: string; op: string; args: Node[][] };

const isIdent = (ch: string): boolean => /^[\p{L}\p{Nd}_]$/u.test(ch);

const DEFAULT_OPS = new Set(['-', '+', '=', '?', ':-', ':+', ':=', ':?']);

/** Parser over a string with the scanner's escape rules. */
class Parser {
  private pos = 0;
  private readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  /** Top level: text with `$$` escapes, and `${…}` functions. */
  parseAll(): Node[] {
    const out: Node[] = [];
    let text = '';
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos] as string;
      if (ch === '$' && this.peek(1) === '{') {
        if (text !== '') out.push({ text });
        text = '';
        this.pos += 2;
        out.push(this.parseFunc());
      } else if (ch === '$' && this.peek(1) === '$') {
        text += '$';
        this.pos += 2;
      } else {
        text += ch;
        this.pos++;
      }
    }
    if (text !== '') out.push({ text });
    return out;
  }

  private expect(ch: string, error: string): void {
    if (this.peek() !== ch) throw new EnvsubstError(error);
    this.pos++;
  }

  private ident(): string {
    let name = '';
    while (this.pos < this.src.length && isIdent(this.src[this.pos] as string)) name += this.src[this.pos++];
    return name;
  }

  /** After `${`. */
  private parseFunc(): Node {
    if (this.peek() === '#') {
      this.pos++;
      const param = this.ident();
      if (param === '') throw new EnvsubstError('bad substitution');
      this.expect('}', 'bad substitution');
      return { param, op: '#', args: [] };
    }
    const param = this.ident();
    if (param === '') throw new EnvsubstError('unable to parse variable name');
    const next = this.peek();
    if (next === ':') {
      const after = this.peek(1);
      if (after !== undefined && '=-?+'.includes(after)) {
        this.pos += 2;
        return this.parseDefault(param, `:${after}`);
      }
      this.pos++;
      const a1 = this.parseParam((c) => c !== ':' && c !== '}', false);
      if (this.peek() === '}') {
        this.pos++;
        return { param, op: ':', args: [a1] };
      }
      if (this.peek() !== ':') throw new EnvsubstError('bad substitution');
      while (this.peek() === ':') this.pos++;
      const a2 = this.parseParam((c) => c !== '}', false);
      this.expect('}', 'bad substitution');
      return { param, op: ':', args: [a1, a2] };
    }
    if (next === '=') {
      this.pos++;
      return this.parseDefault(param, '=');
    }
    if (next === ',' || next === '^') {
      let op = '';
      while (op.length < 2 && (this.peek() === ',' || this.peek() === '^')) op += this.src[this.pos++];
      this.expect('}', 'bad substitution');
      return { param, op, args: [] };
    }
    if (next === '/') {
      this.pos++;
      let op = '/';
      const second = this.peek();
      if (second === '/' || second === '#' || second === '%') {
        op += second;
        this.pos++;
      }
      const a1 = this.peek() === '/' ? [] : this.parseParam((c) => c !== '/', true);
      if (this.peek() !== '/') throw new EnvsubstError('bad substitution');
      while (this.peek() === '/') this.pos++;
      if (this.peek() === '}') {
        this.pos++;
        return { param, op, args: [a1] };
      }
      const a2 = this.parseParam((c) => c !== '}', true);
      this.expect('}', 'bad substitution');
      return { param, op, args: [a1, a2] };
    }
    if (next === '#' || next === '%') {
      let op = '';
      while (op.length < 2 && this.peek() === next) op += this.src[this.pos++];
      const a1 = this.parseParam((c) => c !== '}', false);
      this.expect('}', 'bad substitution');
      return { param, op, args: [a1] };
    }
    this.expect('}', 'missing closing brace');
    return { param, op: '', args: [] };
  }

  private parseDefault(param: string, op: string): Node {
    const args: Node[][] = [];
    for (;;) {
      if (this.peek() === '}') {
        this.pos++;
        return { param, op, args };
      }
      args.push(this.parseParam((c) => c !== '}', false));
    }
  }

  /** One function argument: a nested `${…}` or a run of accepted characters (with escapes when `escapes`). */
  private parseParam(accept: (c: string) => boolean, escapes: boolean): Node[] {
    if (this.peek() === '$' && this.peek(1) === '{') {
      this.pos += 2;
      return [this.parseFunc()];
    }
    let text = '';
    let first = true;
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos] as string;
      if (ch === '$' && this.peek(1) === '{') break;
      // with escapes on (replace arguments) `$$`, `\/` and `\\` are escapes
      if (escapes && ch === '$' && this.peek(1) === '$') {
        text += '$';
        this.pos += 2;
        first = false;
        continue;
      }
      if (escapes && ch === '\\' && (this.peek(1) === '/' || this.peek(1) === '\\')) {
        text += this.peek(1);
        this.pos += 2;
        first = false;
        continue;
      }
      if (!accept(ch)) break;
      text += ch;
      this.pos++;
      first = false;
    }
    if (first) throw new EnvsubstError('unable to parse substitution within function');
    return [{ text }];
  }
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Go's path.Match glob as a regex (`*` and `?` stop at `/`). */
const globToRegex = (glob: string): RegExp => {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) re += `\\${glob[++i] as string}`;
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) throw new EnvsubstError('syntax error in pattern');
      re += `[${glob
        .slice(i + 1, end)
        .replace(/^\^/, '^')
        .replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
};

const trimPrefix = (s: string, pattern: string, longest: boolean): string => {
  const rx = globToRegex(pattern);
  let match: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const candidate = s.slice(0, s.length - i);
    if (rx.test(candidate)) {
      match = candidate;
      if (longest) break;
    }
  }
  return match === undefined ? s : s.slice(match.length);
};

const reverse = (s: string): string => [...s].reverse().join('');

const substr = (s: string, args: string[]): string => {
  const b = utf8(s);
  if (!/^[+-]?\d+$/.test((args[0] ?? '').trim())) return s;
  let pos = Number.parseInt(args[0] as string, 10);
  if (pos < 0) pos = Math.max(0, b.length + pos);
  if (args.length === 1) return pos < b.length ? b.subarray(pos).toString('utf8') : '';
  if (!/^[+-]?\d+$/.test((args[1] ?? '').trim())) return s;
  const len = Number.parseInt(args[1] as string, 10);
  if (pos + len >= b.length) return b.subarray(Math.min(pos, b.length)).toString('utf8');
  return b.subarray(pos, pos + len).toString('utf8');
};

const applyOp = (op: string, v: string, args: string[]): string => {
  switch (op) {
    case ',':
      return v === '' ? v : (v[0] as string).toLowerCase() + v.slice(1);
    case ',,':
      return v.toLowerCase();
    case '^':
      return v === '' ? v : (v[0] as string).toUpperCase() + v.slice(1);
    case '^^':
      return v.toUpperCase();
    case '#':
      return args.length === 0 ? String(utf8(v).length) : trimPrefix(v, args[0] as string, false);
    case '##':
      return trimPrefix(v, args[0] as string, true);
    case '%':
      return reverse(trimPrefix(reverse(v), reverse(args[0] as string), false));
    case '%%':
      return reverse(trimPrefix(reverse(v), reverse(args[0] as string), true));
    case ':':
      return substr(v, args);
    case '/#':
      return args.length === 2 && v.startsWith(args[0] as string)
        ? (args[1] as string) + v.slice((args[0] as string).length)
        : v;
    case '/%':
      return args.length === 2 && v.endsWith(args[0] as string)
        ? v.slice(0, v.length - (args[0] as string).length) + (args[1] as string)
        : v;
    case '/':
      return args.length === 0 ? v : v.replace(args[0] as string, () => args[1] ?? '');
    case '//':
      return args.length === 0 ? v : (args[0] as string) === '' ? v : v.split(args[0] as string).join(args[1] ?? '');
    default:
      // the default operators (and a bare `${var}`): the value, or the joined arguments when it is empty
      return v === '' && args.length > 0 ? args.join('') : v;
  }
};

const evaluate = (nodes: readonly Node[], lookup: (name: string) => string | undefined, strict: boolean): string => {
  let out = '';
  for (const node of nodes) {
    if ('text' in node) {
      out += node.text;
      continue;
    }
    const args = node.args.map((a) => evaluate(a, lookup, strict));
    const value = lookup(node.param);
    if (value === undefined && strict && !DEFAULT_OPS.has(node.op))
      throw new EnvsubstError(`variable not set (strict mode): ${JSON.stringify(node.param)}`);
    out += applyOp(node.op, value ?? '', args);
  }
  return out;
};

/** Evaluates `${…}` expressions in `text` with Flux's envsubst dialect. Throws {@link EnvsubstError}. */
export const envsubst = (
  text: string,
  lookup: (name: string) => string | undefined,
  options: EnvsubstOptions = {},
): string => evaluate(new Parser(text).parseAll(), lookup, options.strict ?? false);
