// Go's regexp (RE2 syntax) on JavaScript's RegExp: the pattern is translated where the two differ (Go's `.`
// matches \r, `\s` is ASCII, `\A` `\z` `\Q…\E` `(?P<n>…)` `[[:alpha:]]` `\pL` `\x{…}`, literal braces, leading
// `(?ims)` flags) and rejected with Go's error where RE2 has no such syntax (lookaround, backreferences, possessive
// forms). Matching loops, Split and `$name` expansion follow Go's regexp.go.

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

function goErr(code: string, expr: string): Error {
  return new Error(`error parsing regexp: ${code}: \`${expr}\``);
}

function lit(c: string, inClass = false): string {
  if (SYNTAX.has(c) || (inClass && c === '-')) return '\\' + c;
  const cp = c.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return `\\u{${cp.toString(16)}}`;
  return c;
}

/** Translates an RE2 pattern to a JavaScript source and flags (always 'u'). Throws Go's parse errors. */
export function translate(expr: string): { source: string; flags: string } {
  let flags = 'u';
  let i = 0;
  let out = '';
  let dotAll = false;
  const m = /^\(\?([imsU]+)\)/.exec(expr);
  if (m) {
    const f = m[1] ?? '';
    if (f.includes('U')) throw goErr('invalid or unsupported Perl syntax', '(?U');
    if (f.includes('i')) flags += 'i';
    if (f.includes('m')) flags += 'm';
    if (f.includes('s')) dotAll = true;
    i = m[0].length;
  }
  let depth = 0;
  const chars = [...expr];
  // work on code points
  const cps: string[] = [];
  for (const c of chars) cps.push(c);
  const pre = [...expr.slice(0, i)].length;
  let k = pre;
  let lastAtom = false;
  let lastRepeat = false;
  const escape = (inClass: boolean): string => {
    const c = cps[k + 1];
    if (c === undefined) throw goErr('trailing backslash at end of expression', '');
    k += 2;
    switch (c) {
      case 'A':
        if (inClass) throw goErr('invalid escape sequence', '\\A');
        return '^';
      case 'z':
        if (inClass) throw goErr('invalid escape sequence', '\\z');
        return '$(?![\\s\\S])';
      case 's':
        return inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
      case 'S':
        if (inClass) throw goErr('invalid escape sequence', '\\S');
        return '[^\\t\\n\\f\\r ]';
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'b':
      case 'B':
      case 'f':
      case 't':
      case 'n':
      case 'r':
      case 'v':
        if (inClass && (c === 'b' || c === 'B')) throw goErr('invalid escape sequence', '\\' + c);
        return '\\' + c;
      case 'a':
        return '\\x07';
      case 'Q': {
        let s = '';
        while (k < cps.length && !(cps[k] === '\\' && cps[k + 1] === 'E')) s += lit(cps[k++] as string);
        if (k < cps.length) k += 2;
        return s;
      }
      case 'x': {
        if (cps[k] === '{') {
          let h = '';
          k++;
          while (k < cps.length && cps[k] !== '}') h += cps[k++];
          k++;
          if (!/^[0-9a-fA-F]+$/.test(h) || parseInt(h, 16) > 0x10ffff)
            throw goErr('invalid escape sequence', `\\x{${h}}`);
          return `\\u{${h}}`;
        }
        const h = (cps[k] ?? '') + (cps[k + 1] ?? '');
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw goErr('invalid escape sequence', '\\x' + h);
        k += 2;
        return '\\x' + h;
      }
      case 'p':
      case 'P': {
        let name: string;
        if (cps[k] === '{') {
          name = '';
          k++;
          while (k < cps.length && cps[k] !== '}') name += cps[k++];
          k++;
        } else name = cps[k++] ?? '';
        let neg = c === 'P';
        if (name.startsWith('^')) {
          neg = !neg;
          name = name.slice(1);
        }
        const cls =
          /^(L|Lu|Ll|Lt|Lm|Lo|M|Mn|Mc|Me|N|Nd|Nl|No|P|Pc|Pd|Ps|Pe|Pi|Pf|Po|S|Sm|Sc|Sk|So|Z|Zs|Zl|Zp|C|Cc|Cf|Co|Cs)$/.test(
            name,
          )
            ? name
            : name === 'Any'
              ? 'Any'
              : `Script=${name}`;
        const body = cls === 'Any' ? '\\s\\S' : `\\p{${cls}}`;
        if (cls === 'Any') return neg ? '[^\\s\\S]' : '[\\s\\S]';
        return neg ? `\\P{${cls}}` : body;
      }
      default:
        if (/[0-9]/.test(c)) {
          if (c === '0') return '\\0';
          throw goErr('invalid escape sequence', '\\' + c);
        }
        if (/[A-Za-z]/.test(c)) throw goErr('invalid escape sequence', '\\' + c);
        return lit(c, inClass);
    }
  };
  while (k < cps.length) {
    const c = cps[k] as string;
    if (c === '\\') {
      out += escape(false);
      lastAtom = true;
      lastRepeat = false;
      continue;
    }
    if (c === '[') {
      const start = k;
      k++;
      let cls = '[';
      if (cps[k] === '^') {
        cls += '^';
        k++;
      }
      let first = true;
      for (;;) {
        const d = cps[k];
        if (d === undefined) throw goErr('missing closing ]', cps.slice(start).join(''));
        if (d === ']' && !first) {
          k++;
          break;
        }
        first = false;
        if (d === '[' && cps[k + 1] === ':') {
          const end = cps.indexOf(':', k + 2);
          const name = cps.slice(k + 2, end).join('');
          let neg = false;
          let n = name;
          if (n.startsWith('^')) {
            neg = true;
            n = n.slice(1);
          }
          if (end > 0 && cps[end + 1] === ']' && POSIX[n] !== undefined) {
            if (neg) throw goErr('invalid character class', `[:${name}:]`);
            cls += POSIX[n];
            k = end + 2;
            continue;
          }
        }
        if (d === '\\') {
          cls += escape(true);
          continue;
        }
        cls +=
          d === '[' || d === ']' || d === '/' || d === '{' || d === '}' || d === '|' || d === '(' || d === ')'
            ? '\\' + d
            : d;
        if (d === '-' && cps[k + 1] === ']') cls = cls.slice(0, -1) + '\\-';
        k++;
      }
      const rm = /([^\\])-([^\\\]])/.exec(cls);
      if (rm && (rm[1] ?? '') > (rm[2] ?? '') && rm[1] !== '[' && rm[1] !== '^') {
        throw goErr('invalid character class range', `${rm[1]}-${rm[2]}`);
      }
      out += cls + ']';
      lastAtom = true;
      lastRepeat = false;
      continue;
    }
    if (c === '(') {
      if (cps[k + 1] === '?') {
        const rest = cps.slice(k).join('');
        const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
        if (named) {
          out += `(?<${named[1]}>`;
          k += [...named[0]].length;
        } else if (rest.startsWith('(?:')) {
          out += '(?:';
          k += 3;
        } else {
          const fl = /^\(\?([ims]*)(?:-([ims]*))?:/.exec(rest);
          if (fl) {
            if ((fl[1] ?? '').includes('s') || (fl[2] ?? '').includes('m') || (fl[1] ?? '').includes('m')) {
              throw goErr('invalid or unsupported Perl syntax', fl[0].slice(0, 3));
            }
            out += fl[0];
            k += fl[0].length;
          } else throw goErr('invalid or unsupported Perl syntax', rest.slice(0, 3));
        }
      } else {
        out += '(';
        k++;
      }
      depth++;
      lastAtom = false;
      lastRepeat = false;
      continue;
    }
    if (c === ')') {
      if (depth === 0) throw goErr('unexpected )', expr);
      depth--;
      out += ')';
      k++;
      lastAtom = true;
      lastRepeat = false;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      if (lastRepeat && !(c === '?' && cps[k - 1] !== '?'))
        throw goErr('invalid nested repetition operator', cps[k - 1] + c);
      if (!lastAtom && !lastRepeat) throw goErr('missing argument to repetition operator', c);
      if (lastRepeat && c === '?' && cps[k - 1] === '?') throw goErr('invalid nested repetition operator', '??');
      out += c;
      k++;
      lastRepeat = c !== '?' || !lastRepeat;
      lastAtom = false;
      if (lastRepeat && cps[k] === '?') {
        out += '?';
        k++;
      }
      continue;
    }
    if (c === '{') {
      const rest = cps.slice(k).join('');
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(rest);
      if (rep) {
        if (!lastAtom) throw goErr('missing argument to repetition operator', rep[0]);
        const lo = Number(rep[1]);
        const hi = rep[3] ? Number(rep[3]) : lo;
        if (lo > 1000 || hi > 1000 || (rep[3] && hi < lo)) throw goErr('invalid repeat count', rep[0]);
        out += rep[0];
        k += rep[0].length;
        if (cps[k] === '?') {
          out += '?';
          k++;
        }
        lastAtom = false;
        lastRepeat = true;
        continue;
      }
      out += '\\{';
      k++;
      lastAtom = true;
      lastRepeat = false;
      continue;
    }
    if (c === '}' || c === ']' || c === '/') {
      out += '\\' + c;
      k++;
      lastAtom = true;
      lastRepeat = false;
      continue;
    }
    if (c === '.') {
      out += dotAll ? '[\\s\\S]' : '[^\\n]';
      k++;
      lastAtom = true;
      lastRepeat = false;
      continue;
    }
    if (c === '|' || c === '^' || c === '$') {
      out += c;
      k++;
      lastAtom = c !== '|';
      lastRepeat = false;
      continue;
    }
    out += lit(c);
    k++;
    lastAtom = true;
    lastRepeat = false;
  }
  if (depth > 0) throw goErr('missing closing )', expr);
  void i;
  return { source: out, flags };
}

/** A compiled Go regexp. */
export class GoRegexp {
  readonly expr: string;
  private readonly re: RegExp;
  constructor(expr: string) {
    this.expr = expr;
    const t = translate(expr);
    try {
      this.re = new RegExp(t.source, t.flags + 'g');
    } catch (e) {
      throw new Error(`error parsing regexp: unsupported by this engine: \`${expr}\` (${(e as Error).message})`, {
        cause: e,
      });
    }
  }

  private exec(s: string, pos: number): RegExpExecArray | null {
    this.re.lastIndex = pos;
    return this.re.exec(s);
  }

  matchString(s: string): boolean {
    return this.exec(s, 0) !== null;
  }

  findString(s: string): string {
    return this.exec(s, 0)?.[0] ?? '';
  }

  /** Go's allMatches: no empty match right after a previous match. */
  allMatches(s: string, n: number): RegExpExecArray[] {
    const out: RegExpExecArray[] = [];
    if (n < 0) n = s.length + 1;
    let pos = 0;
    let prevEnd = -1;
    while (out.length < n && pos <= s.length) {
      const m = this.exec(s, pos);
      if (m === null) break;
      const end = m.index + m[0].length;
      let accept = true;
      if (end === pos || m[0].length === 0) {
        if (m.index === prevEnd) accept = false;
        if (end === pos) pos += pos < s.length ? ((s.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1) : 1;
        else pos = end;
      } else pos = end;
      prevEnd = end;
      if (accept) out.push(m);
    }
    return out;
  }

  findAllString(s: string, n: number): string[] {
    if (n === 0) return [];
    return this.allMatches(s, n).map((m) => m[0]);
  }

  split(s: string, n: number): string[] {
    if (n === 0) return [];
    if (this.expr.length > 0 && s.length === 0) return [''];
    const matches = this.allMatches(s, n);
    const out: string[] = [];
    let beg = 0;
    let end = 0;
    for (const m of matches) {
      if (n > 0 && out.length === n - 1) break;
      end = m.index;
      if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
      beg = m.index + m[0].length;
    }
    if (end !== s.length) out.push(s.slice(beg));
    return out;
  }

  replaceAll(src: string, repl: (m: RegExpExecArray) => string): string {
    let out = '';
    let lastEnd = 0;
    let searchPos = 0;
    while (searchPos <= src.length) {
      const m = this.exec(src, searchPos);
      if (m === null) break;
      const a0 = m.index;
      const a1 = m.index + m[0].length;
      out += src.slice(lastEnd, a0);
      if (a1 > lastEnd || a0 === 0) out += repl(m);
      lastEnd = a1;
      const width = searchPos < src.length ? ((src.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1) : 1;
      if (searchPos + width > a1) searchPos += width;
      else if (searchPos + 1 > a1) searchPos++;
      else searchPos = a1;
    }
    return out + src.slice(lastEnd);
  }

  /** Regexp.Expand of a template with $1, ${1}, $name, ${name}, $$. */
  expand(template: string, m: RegExpExecArray): string {
    let out = '';
    let i = 0;
    while (i < template.length) {
      const j = template.indexOf('$', i);
      if (j < 0) {
        out += template.slice(i);
        break;
      }
      out += template.slice(i, j);
      const rest = template.slice(j + 1);
      if (rest.startsWith('$')) {
        out += '$';
        i = j + 2;
        continue;
      }
      let name: string | undefined;
      let len = 0;
      const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
      const bare = /^[A-Za-z0-9_]+/.exec(rest);
      if (braced) {
        name = braced[1];
        len = braced[0].length;
      } else if (bare && !rest.startsWith('{')) {
        name = bare[0];
        len = bare[0].length;
      }
      if (name === undefined) {
        out += '$';
        i = j + 1;
        continue;
      }
      i = j + 1 + len;
      if (/^\d+$/.test(name)) {
        const n = Number(name);
        if (n < m.length) out += m[n] ?? '';
      } else out += m.groups?.[name] ?? '';
    }
    return out;
  }
}

/** regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => '\\' + c);
}
