/**
 * Kubernetes label selectors in their string form (`app=web,tier in (a,b),!legacy,replicas>1`), parsed and matched
 * exactly as k8s.io/apimachinery/pkg/labels (v1.33) `Parse` and `Selector.Matches` do: the same lexer (keywords
 * `in`/`notin` are values inside a value context, a NUL byte ends the input), key and value validation, requirements
 * sorted by key, and the same error texts, which the kube-apiserver returns verbatim in a 400. Hand-written: no npm
 * library reproduces apimachinery's grammar and messages. The one implementation for the API server, the controller
 * runtime's cache and kustomize's patch targets.
 */
import { formatFieldError } from './go-format.ts';
import type { FieldError } from './types.ts';

/** apimachinery `selection.Operator` values a parsed requirement can carry. */
export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement (labels.Requirement): `values` are sorted and unique for set operators, one value otherwise. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A selector string that labels.Parse rejects; `message` is apimachinery's text. */
export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation (k8s.io/apimachinery/pkg/util/validation, v1.33 texts)

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

const byteLength = (s: string): number => new TextEncoder().encode(s).length;
const maxLenError = (n: number): string => `must be no more than ${n} characters`;

// validation.RegexError: examples joined with " or " after a "', " (hence the double spaces).
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

// validation.IsQualifiedName (a label key).
function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (byteLength(prefix) > 253) errs.push(`prefix part ${maxLenError(253)}`);
      if (!DNS1123_SUBDOMAIN_RE.test(prefix))
        errs.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com')}`);
    }
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME_RE.test(name))
    errs.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

// validation.IsValidLabelValue.
function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value))
    errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

const invalid = (field: string, badValue: string, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  badValue,
  detail,
});

// field.ErrorList.ToAggregate().Error(): duplicates dropped, one message bare, several in brackets.
function aggregate(errs: readonly FieldError[]): string {
  const msgs = [...new Set(errs.map(formatFieldError))];
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}

const INT64_RE = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// strconv.ParseInt(s, 10, 64); undefined where Go returns an error.
function parseInt64(s: string): bigint | undefined {
  if (!INT64_RE.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

// labels.NewRequirement's checks for what the parser can produce (the key is already validated).
function newRequirement(key: string, operator: SelectorOperator, values: string[]): LabelRequirement {
  const errs: FieldError[] = [];
  if (operator === 'gt' || operator === 'lt') {
    values.forEach((v, i) => {
      if (parseInt64(v) === undefined)
        errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
    });
  }
  values.forEach((v, i) => {
    const msgs = labelValueErrors(v);
    if (msgs.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, msgs.join('; ')));
  });
  if (errs.length > 0) throw new LabelSelectorError(aggregate(errs));
  return { key, operator, values };
}

// ---------------------------------------------------------------------------------------------------------------
// Lexer and parser (labels.Lexer, labels.Parser)

/** labels.Token, by name. */
type Tok =
  | 'Error'
  | 'EndOfString'
  | 'ClosedPar'
  | 'Comma'
  | 'DoesNotExist'
  | 'DoubleEquals'
  | 'Equals'
  | 'GreaterThan'
  | 'Identifier'
  | 'In'
  | 'LessThan'
  | 'NotEquals'
  | 'NotIn'
  | 'OpenPar';

const STRING_TO_TOKEN: ReadonlyMap<string, Tok> = new Map<string, Tok>([
  [')', 'ClosedPar'],
  [',', 'Comma'],
  ['!', 'DoesNotExist'],
  ['==', 'DoubleEquals'],
  ['=', 'Equals'],
  ['>', 'GreaterThan'],
  ['in', 'In'],
  ['<', 'LessThan'],
  ['!=', 'NotEquals'],
  ['notin', 'NotIn'],
  ['(', 'OpenPar'],
]);

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

interface Item {
  tok: Tok;
  lit: string;
}

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean => ch.length === 1 && '=!(),><'.includes(ch);

function scan(s: string): Item[] {
  let pos = 0;
  // Lexer.read: '\0' at the end of the input (and for a NUL byte, as in Go).
  const read = (): string => (pos < s.length ? s[pos++]! : '\0');
  const unread = (): void => {
    pos--;
  };
  const lex = (): Item => {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') return { tok: 'EndOfString', lit: '' };
    unread();
    if (isSpecialSymbol(ch)) {
      let buffer = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (!isSpecialSymbol(c)) {
          unread();
          break;
        }
        buffer += c;
        const t = STRING_TO_TOKEN.get(buffer);
        if (t !== undefined) last = { tok: t, lit: buffer };
        else if (last) {
          unread();
          break;
        }
      }
      return last ?? { tok: 'Error', lit: `error expected: keyword found '${buffer}'` };
    }
    let buffer = '';
    for (;;) {
      const c = read();
      if (c === '\0') break;
      if (isSpecialSymbol(c) || isWhitespace(c)) {
        unread();
        break;
      }
      buffer += c;
    }
    return { tok: STRING_TO_TOKEN.get(buffer) ?? 'Identifier', lit: buffer };
  };
  const items: Item[] = [];
  for (;;) {
    const item = lex();
    items.push(item);
    if (item.tok === 'EndOfString') return items;
  }
}

/** labels.ParserContext: in a value position the keywords `in` and `notin` are identifiers. */
type Ctx = 'KeyAndOperator' | 'Values';

class Parser {
  readonly #items: Item[];
  #position = 0;

  constructor(selector: string) {
    this.#items = scan(selector);
  }

  #at(i: number, ctx: Ctx): Item {
    const item = this.#items[Math.min(i, this.#items.length - 1)]!;
    if (ctx === 'Values' && (item.tok === 'In' || item.tok === 'NotIn')) return { tok: 'Identifier', lit: item.lit };
    return item;
  }

  #lookahead(ctx: Ctx): Item {
    return this.#at(this.#position, ctx);
  }

  #consume(ctx: Ctx): Item {
    return this.#at(this.#position++, ctx);
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.#lookahead('Values');
      switch (tok) {
        case 'Identifier':
        case 'DoesNotExist': {
          let r: LabelRequirement;
          try {
            r = this.#parseRequirement();
          } catch (err) {
            if (err instanceof LabelSelectorError)
              throw new LabelSelectorError(`unable to parse requirement: ${err.message}`);
            throw err;
          }
          requirements.push(r);
          const next = this.#consume('Values');
          if (next.tok === 'EndOfString') return requirements;
          if (next.tok !== 'Comma')
            throw new LabelSelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
          const after = this.#lookahead('Values');
          if (after.tok !== 'Identifier' && after.tok !== 'DoesNotExist')
            throw new LabelSelectorError(`found '${after.lit}', expected: identifier after ','`);
          break;
        }
        case 'EndOfString':
          return requirements;
        default:
          throw new LabelSelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  #parseRequirement(): LabelRequirement {
    const { key, operator: inferred } = this.#parseKeyAndInferOperator();
    if (inferred !== undefined) return newRequirement(key, inferred, []);
    const operator = this.#parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.#parseValues() : this.#parseExactValue();
    return newRequirement(key, operator, [...values].sort());
  }

  #parseKeyAndInferOperator(): { key: string; operator: 'exists' | '!' | undefined } {
    let operator: 'exists' | '!' | undefined;
    let { tok, lit } = this.#consume('Values');
    if (tok === 'DoesNotExist') {
      operator = '!';
      ({ tok, lit } = this.#consume('Values'));
    }
    if (tok !== 'Identifier') throw new LabelSelectorError(`found '${lit}', expected: identifier`);
    const errs = qualifiedNameErrors(lit);
    if (errs.length > 0) throw new LabelSelectorError(formatFieldError(invalid('<nil>', lit, errs.join('; '))));
    const next = this.#lookahead('Values').tok;
    if ((next === 'EndOfString' || next === 'Comma') && operator !== '!') operator = 'exists';
    return { key: lit, operator };
  }

  #parseOperator(): SelectorOperator {
    const { tok, lit } = this.#consume('KeyAndOperator');
    switch (tok) {
      case 'In':
        return 'in';
      case 'Equals':
        return '=';
      case 'DoubleEquals':
        return '==';
      case 'GreaterThan':
        return 'gt';
      case 'LessThan':
        return 'lt';
      case 'NotIn':
        return 'notin';
      case 'NotEquals':
        return '!=';
      default:
        throw new LabelSelectorError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  #parseValues(): Set<string> {
    const open = this.#consume('Values');
    if (open.tok !== 'OpenPar') throw new LabelSelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.#lookahead('Values');
    switch (tok) {
      case 'Identifier':
      case 'Comma': {
        const s = this.#parseIdentifiersList();
        if (this.#consume('Values').tok !== 'ClosedPar') throw new LabelSelectorError(`found '${lit}', expected: ')'`);
        return s;
      }
      case 'ClosedPar':
        this.#consume('Values');
        return new Set(['']);
      default:
        throw new LabelSelectorError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  #parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.#consume('Values');
      if (tok === 'Identifier') {
        s.add(lit);
        const next = this.#lookahead('Values');
        if (next.tok === 'Comma') continue;
        if (next.tok === 'ClosedPar') return s;
        throw new LabelSelectorError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === 'Comma') {
        if (s.size === 0) s.add(''); // "(,"
        const next = this.#lookahead('Values').tok;
        if (next === 'ClosedPar') {
          s.add(''); // ",)"
          return s;
        }
        if (next === 'Comma') s.add(''); // ",,"
      } else {
        throw new LabelSelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  #parseExactValue(): Set<string> {
    const ahead = this.#lookahead('Values').tok;
    if (ahead === 'EndOfString' || ahead === 'Comma') return new Set(['']);
    const { tok, lit } = this.#consume('Values');
    if (tok === 'Identifier') return new Set([lit]);
    throw new LabelSelectorError(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses a label selector string (labels.Parse / ParseToRequirements): requirements sorted by key; `''` selects
 * everything.
 * @throws LabelSelectorError with apimachinery's message on a malformed selector
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  return new Parser(selector).parse().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------
// Matching (labels.Requirement.Matches)

const labelValue = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** Whether one requirement matches a label map (a missing map is no labels). */
export function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, unknown>> = {}): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(labelValue(labels[r.key]));
    case 'notin':
    case '!=':
      return !has || !r.values.includes(labelValue(labels[r.key]));
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(labelValue(labels[r.key]));
      const bound = parseInt64(r.values[0]!);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** Whether a label map satisfies every requirement (labels.Selector.Matches); no requirements match everything. */
export function matchesLabelRequirements(
  requirements: readonly LabelRequirement[],
  labels?: Readonly<Record<string, unknown>>,
): boolean {
  return requirements.every((r) => requirementMatches(r, labels));
}
