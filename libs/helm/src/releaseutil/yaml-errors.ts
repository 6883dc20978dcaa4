// go-yaml v2's syntax error messages for the errors the `yaml` package reports, for the common mistakes in
// rendered manifests. go-yaml numbers lines from its marks: a scanner error prints the mark's line + 1, a parser error
// the mark's 0-based line (unless 0: then the context mark's, and no `line N:` at all if that is 0 too); at the end of
// the stream the mark moves to a new line. Errors outside this table keep the `yaml` package's message.
import type { YAMLError } from 'yaml';

function lineIndex(text: string, pos: number): number {
  let n = 0;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** The line of the end-of-stream token (go-yaml forces a new line when the last line is not terminated). */
function eofLine(text: string): number {
  const n = lineIndex(text, text.length);
  return text.endsWith('\n') || text === '' ? n : n + 1;
}

/** The position of the next token after pos: skips blanks, line breaks and comments. */
function nextToken(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') i++;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else break;
  }
  return i;
}

const scanner = (line: number, msg: string): string => (line !== 0 ? `yaml: line ${line + 1}: ${msg}` : `yaml: ${msg}`);
const parser = (line: number, msg: string): string => (line !== 0 ? `yaml: line ${line}: ${msg}` : `yaml: ${msg}`);

/** go-yaml's message (`yaml: line N: …`) for an error of the `yaml` package on text. */
export function goYamlError(text: string, err: YAMLError): string {
  const [start, end] = err.pos;
  const alias = /^Unresolved alias \(the anchor must be set before the alias\): (.*)$/.exec(err.message);
  if (alias) return `yaml: unknown anchor '${alias[1]}' referenced`;
  switch (err.code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY': {
      // go-yaml stops at the `:` after the scalar: a value that goes on as a mapping, or a key over several lines
      const re = /:(?=[ \t\r\n]|$)/g;
      re.lastIndex = start;
      const m = re.exec(text);
      const line = lineIndex(text, m?.index ?? start);
      if (err.code === 'MULTILINE_IMPLICIT_KEY') {
        // a `- item` where a mapping key is expected
        if (/^-(?:[ \n]|$)/.test(text.slice(start))) return parser(lineIndex(text, start), 'did not find expected key');
        return scanner(line, "could not find expected ':'");
      }
      return scanner(line, 'mapping values are not allowed in this context');
    }
    case 'TAB_AS_INDENT': {
      // a tab inside a plain scalar that goes on to the next line, or a tab where a token must start
      const line = lineIndex(text, start);
      const prev = (text.split('\n')[line - 1] ?? '').replace(/#.*$/, '').trimEnd();
      if (prev === '' || prev.endsWith(':') || prev.endsWith('-')) {
        return scanner(line, 'found character that cannot start any token');
      }
      return scanner(line, 'found a tab character that violates indentation');
    }
    case 'BAD_SCALAR_START':
      return scanner(lineIndex(text, start), 'found character that cannot start any token');
    case 'MISSING_CHAR': {
      if (err.message.startsWith('Missing closing')) {
        return scanner(lineIndex(text, text.length), 'found unexpected end of stream');
      }
      if (err.message.startsWith('Implicit map keys need to be followed by map values')) {
        const next = nextToken(text, end);
        const line = next >= text.length ? eofLine(text) : lineIndex(text, next);
        return scanner(line, "could not find expected ':'");
      }
      break;
    }
    case 'UNEXPECTED_TOKEN': {
      if (!err.message.startsWith('Unexpected scalar at node end')) break;
      const line = lineIndex(text, start);
      if (/^\s*-(?:[ \n]|$)/.test(text)) {
        // a block sequence at the root, then something else at its column
        const prev = (text.split('\n')[line - 1] ?? '').trim();
        return parser(
          line,
          prev === '-' ? 'did not find expected node content' : "did not find expected '-' indicator",
        );
      }
      return parser(line, 'did not find expected key');
    }
    case 'BAD_INDENT': {
      if (err.message.startsWith('Flow sequence')) return parser(eofLine(text), "did not find expected ',' or ']'");
      if (err.message.startsWith('Flow map')) return parser(eofLine(text), "did not find expected ',' or '}'");
      if (err.message.startsWith('All mapping items must start at the same column')) {
        return parser(lineIndex(text, start), "did not find expected '-' indicator");
      }
      break;
    }
  }
  return `yaml: ${err.message}`;
}
