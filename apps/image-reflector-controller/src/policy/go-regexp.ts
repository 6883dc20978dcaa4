/**
 * Go `regexp` patterns and `Regexp.Expand` templates as the image kinds use them (`exclusionList`,
 * `filterTags.pattern`/`extract`). Hand-written: no npm package translates RE2 syntax to JavaScript; the two differ
 * in few places that tag patterns use: `(?P<name>…)` groups, a leading `(?flags)` group, and `$name`/`${name}`
 * templates with Go's rules (a name is the longest run of letters, digits and `_`; an unknown group expands to "").
 */

/** Compiles a Go regular expression; throws `error parsing regexp: …` when JavaScript cannot compile it. */
export function compileGoRegexp(pattern: string): RegExp {
  let source = pattern.replace(/\(\?P</g, '(?<');
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead?.[1]) {
    source = source.slice(lead[0].length);
    for (const f of lead[1]) if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(source, flags);
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err);
    throw new Error(`error parsing regexp: ${detail}`, { cause: err });
  }
}

/** Go's `Regexp.ExpandString(nil, template, src, match)` for a JavaScript match. */
export function expandGoTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let end = i + 1;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (close >= 0 && /^\w+$/.test(inner)) {
        name = inner;
        end = close + 1;
      }
    } else {
      const m = /^\w+/.exec(template.slice(i + 1));
      if (m) {
        name = m[0];
        end = i + 1 + name.length;
      }
    }
    if (name === undefined) {
      // a malformed reference is copied as is (Go: "$" followed by an invalid name is left in place)
      out += c;
      continue;
    }
    out += groupValue(match, name) ?? '';
    i = end - 1;
  }
  return out;
}

function groupValue(match: RegExpExecArray, name: string): string | undefined {
  if (/^\d+$/.test(name)) return match[Number(name)];
  return match.groups?.[name];
}
