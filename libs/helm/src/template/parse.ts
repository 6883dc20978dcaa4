// The parser of Go's text/template/parse (parse.go, node.go): trees, nodes with Go's String() forms, and the
// same parse errors ("template: NAME:LINE: …").
import { goQuote } from './fmt.ts';
import { I, Lexer, itemString, type Item, type ItemType } from './lex.ts';

/** A node of a parse tree; `pos` is the index in the template text, `tree` the tree it was parsed into. */
export type Node =
  | TextNode
  | ActionNode
  | CommentNode
  | ListNode
  | PipeNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | BranchNode
  | TemplateNode
  | BreakNode
  | ContinueNode
  | EndNode
  | ElseNode;

interface Base {
  pos: number;
  tree: Tree;
}
/** Plain text. */
export interface TextNode extends Base {
  type: 'text';
  text: string;
}
/** `{{pipeline}}`. */
export interface ActionNode extends Base {
  type: 'action';
  line: number;
  pipe: PipeNode;
}
/** A comment (only with emitComment). */
export interface CommentNode extends Base {
  type: 'comment';
  text: string;
}
/** A sequence of nodes. */
export interface ListNode extends Base {
  type: 'list';
  nodes: Node[];
}
/** A pipeline with optional declarations. */
export interface PipeNode extends Base {
  type: 'pipe';
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
/** A command: an operand and its arguments. */
export interface CommandNode extends Base {
  type: 'command';
  args: Node[];
}
/** A function name. */
export interface IdentifierNode extends Base {
  type: 'identifier';
  ident: string;
}
/** `$x.Field…`. */
export interface VariableNode extends Base {
  type: 'variable';
  ident: string[];
}
/** `.` */
export interface DotNode extends Base {
  type: 'dot';
}
/** `nil` */
export interface NilNode extends Base {
  type: 'nil';
}
/** `.A.B`. */
export interface FieldNode extends Base {
  type: 'field';
  ident: string[];
}
/** `(pipe).A.B` or `term.A`. */
export interface ChainNode extends Base {
  type: 'chain';
  node: Node;
  field: string[];
}
/** `true` / `false`. */
export interface BoolNode extends Base {
  type: 'bool';
  value: boolean;
}
/** A numeric constant with Go's ideal-constant flags. */
export interface NumberNode extends Base {
  type: 'number';
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
  complex: [number, number];
}
/** A quoted string constant. */
export interface StringNode extends Base {
  type: 'string';
  quoted: string;
  text: string;
}
/** if / range / with. */
export interface BranchNode extends Base {
  type: 'if' | 'range' | 'with';
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
/** `{{template "name" pipe}}`. */
export interface TemplateNode extends Base {
  type: 'template';
  line: number;
  name: string;
  pipe: PipeNode | null;
}
/** `{{break}}`. */
export interface BreakNode extends Base {
  type: 'break';
  line: number;
}
/** `{{continue}}`. */
export interface ContinueNode extends Base {
  type: 'continue';
  line: number;
}
/** `{{end}}` (transient). */
export interface EndNode extends Base {
  type: 'end';
}
/** `{{else}}` (transient). */
export interface ElseNode extends Base {
  type: 'else';
  line: number;
}

/** Go's Node.String() for a node. */
export function nodeString(n: Node): string {
  switch (n.type) {
    case 'text':
      return n.text;
    case 'comment':
      return `{{${n.text}}}`;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) {
        s += n.decl.map(nodeString).join(', ');
        s += n.isAssign ? ' = ' : ' := ';
      }
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'identifier':
      return n.ident;
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'field':
      return n.ident.map((f) => '.' + f).join('');
    case 'chain':
      return (
        (n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + n.field.map((f) => '.' + f).join('')
      );
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'if':
    case 'range':
    case 'with':
      return (
        `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}` +
        (n.elseList ? `{{else}}${nodeString(n.elseList)}` : '') +
        '{{end}}'
      );
    case 'template':
      return n.pipe ? `{{template ${goQuote(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${goQuote(n.name)}}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'end':
      return '{{end}}';
    case 'else':
      return '{{else}}';
  }
}

/** Only unicode.IsSpace runes (what bytes.TrimSpace removes). */
const GO_SPACE_ONLY = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** parse.IsEmptyTree. */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.type) {
    case 'comment':
      return true;
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return GO_SPACE_ONLY.test(n.text);
    default:
      return false;
  }
}

/** A parse error (message in Go's format). */
export class ParseError extends Error {
  override name = 'ParseError';
}

/** strconv.Unquote for "…", `…` and '…'; null on bad syntax. */
export function unquote(s: string): string | null {
  if (s.length < 2) return null;
  const q = s[0];
  if (q !== s[s.length - 1]) return null;
  const body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) return null;
    return body.replaceAll('\r', '');
  }
  if (q !== '"' && q !== "'") return null;
  if (body.includes('\n')) return null;
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i] ?? '';
    if (c === q) return null;
    if (c !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      out += String.fromCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const r = unquoteEscape(body, i, q);
    if (r === null) return null;
    out += r.s;
    i = r.next;
  }
  if (q === "'" && [...out].length !== 1) return null;
  return out;
}

function unquoteEscape(s: string, i: number, quote: string): { s: string; next: number } | null {
  const c = s[i + 1];
  if (c === undefined) return null;
  const simple: Record<string, string> = {
    a: '\x07',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
    '\\': '\\',
  };
  if (simple[c] !== undefined) return { s: simple[c], next: i + 2 };
  if (c === "'" || c === '"') {
    if (c !== quote) return null;
    return { s: c, next: i + 2 };
  }
  const hexN = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexN > 0) {
    const h = s.slice(i + 2, i + 2 + hexN);
    if (h.length !== hexN || !/^[0-9a-fA-F]+$/.test(h)) return null;
    const v = parseInt(h, 16);
    if (c !== 'x' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) return null;
    return { s: String.fromCodePoint(v), next: i + 2 + hexN };
  }
  if (c >= '0' && c <= '7') {
    const o = s.slice(i + 1, i + 4);
    if (!/^[0-7]{3}$/.test(o)) return null;
    const v = parseInt(o, 8);
    if (v > 255) return null;
    return { s: String.fromCharCode(v), next: i + 4 };
  }
  return null;
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Go's number-literal digits check with underscores (only for base-0 parsing). */
function goIntLiteral(text: string): bigint | null {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let digits = s;
  let prefixed = false;
  if (/^0[xX]/.test(s)) {
    base = 16;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0./.test(s)) {
    base = 8;
    digits = s.slice(1);
    prefixed = true;
  }
  if (digits.includes('_')) {
    // underscores must separate digits (or follow the prefix)
    const check = (prefixed ? '0' : '') + digits;
    if (/__|_$/.test(check) || (!prefixed && check.startsWith('_'))) return null;
    digits = digits.replaceAll('_', '');
  }
  if (digits === '') return prefixed && base === 8 ? 0n : null;
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (!valid.test(digits)) return null;
  let v = 0n;
  const b = BigInt(base);
  for (const ch of digits) v = v * b + BigInt(parseInt(ch, 16));
  return neg ? -v : v;
}

function goParseFloat(text: string): number | null {
  let s = text.replaceAll('_', '');
  if (/^[+-]?0[xX]/.test(text)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
    if (!m) return null;
    const mant = (m[2] ?? '') + (m[3] ?? '');
    if (mant === '') return null;
    const v = parseInt(mant, 16) * Math.pow(2, Number(m[4]) - 4 * (m[3] ?? '').length);
    return m[1] === '-' ? -v : v;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  if (/^[+-]?0\d/.test(s) && !/[.eE]/.test(s)) s = s.replace(/^([+-]?)0+/, '$1');
  return Number(s);
}

function simplifyComplex(n: NumberNode): void {
  n.isFloat = n.complex[1] === 0;
  if (n.isFloat) {
    const f = n.complex[0];
    n.float64 = f;
    n.isInt = Number.isInteger(f) && f >= -9223372036854775808 && f < 9223372036854775808;
    if (n.isInt) n.int64 = BigInt(f);
    n.isUint = Number.isInteger(f) && f >= 0 && f < 18446744073709551616;
    if (n.isUint) n.uint64 = BigInt(f);
  }
}

/** A parse tree: one named template. */
export class Tree {
  name: string;
  parseName: string;
  root: ListNode | null = null;
  text = '';
  funcs: ReadonlySet<string>[] = [];
  private lex!: Lexer;
  private token: Item[] = [];
  private peekCount = 0;
  private vars: string[] = [];
  treeSet: Map<string, Tree> = new Map();
  private actionLine = 0;
  private rangeDepth = 0;

  constructor(name: string) {
    this.name = name;
    this.parseName = name;
  }

  /** Parses text into this tree and the trees of its definitions (added to treeSet). */
  parse(
    text: string,
    leftDelim: string,
    rightDelim: string,
    treeSet: Map<string, Tree>,
    funcs: ReadonlySet<string>[],
  ): void {
    this.parseName = this.name;
    const lexer = new Lexer(this.parseName, text, leftDelim, rightDelim);
    this.startParse(funcs, lexer, treeSet);
    this.text = text;
    this.parseAll();
    this.add();
  }

  private startParse(funcs: ReadonlySet<string>[], lex: Lexer, treeSet: Map<string, Tree>): void {
    this.root = null;
    this.lex = lex;
    this.vars = ['$'];
    this.funcs = funcs;
    this.treeSet = treeSet;
    this.token = [
      { typ: I.eof, pos: 0, val: '', line: 0 },
      { typ: I.eof, pos: 0, val: '', line: 0 },
      { typ: I.eof, pos: 0, val: '', line: 0 },
    ];
    this.peekCount = 0;
    lex.options = {
      emitComment: false,
      breakOK: !this.hasFunction('break'),
      continueOK: !this.hasFunction('continue'),
    };
  }

  private hasFunction(name: string): boolean {
    return this.funcs.some((f) => f.has(name));
  }

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount] as Item;
  }
  private backup(): void {
    this.peekCount++;
  }
  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }
  private nextNonSpace(): Item {
    let token: Item;
    for (;;) {
      token = this.next();
      if (token.typ !== I.space) break;
    }
    return token;
  }
  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  errorf(msg: string): never {
    this.root = null;
    throw new ParseError(`template: ${this.parseName}:${(this.token[0] as Item).line}: ${msg}`);
  }

  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }

  private expectOneOf(e1: ItemType, e2: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== e1 && token.typ !== e2) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.typ === I.error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  private add(): void {
    const tree = this.treeSet.get(this.name);
    if (tree === undefined || isEmptyTree(tree.root)) {
      this.treeSet.set(this.name, this);
      return;
    }
    if (!isEmptyTree(this.root)) this.errorf(`template: multiple definition of template ${goQuote(this.name)}`);
  }

  private parseAll(): void {
    this.root = this.newList(this.peek().pos);
    while (this.peek().typ !== I.eof) {
      if (this.peek().typ === I.leftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === I.define) {
          const newT = new Tree('definition');
          newT.text = this.text;
          newT.parseName = this.parseName;
          newT.startParse(this.funcs, this.lex, this.treeSet);
          newT.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      this.root.nodes.push(n);
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf(I.string, I.rawString, context);
    const u = unquote(name.val);
    if (u === null) this.errorf('invalid syntax');
    this.name = u;
    this.expect(I.rightDelim, context);
    const [list, end] = this.itemList();
    this.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add();
  }

  private itemList(): [ListNode, Node] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== I.eof) {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case I.text:
        return { type: 'text', pos: token.pos, tree: this, text: token.val };
      case I.leftDelim:
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      case I.comment:
        return { type: 'comment', pos: token.pos, tree: this, text: token.val };
      default:
        this.unexpected(token, 'input');
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case I.block:
        return this.blockControl();
      case I.break:
        return this.breakControl(token.pos, token.line, 'break');
      case I.continue:
        return this.breakControl(token.pos, token.line, 'continue');
      case I.else:
        return this.elseControl();
      case I.end:
        return this.endControl();
      case I.if:
        return this.branch('if');
      case I.range:
        return this.branch('range');
      case I.template:
        return this.templateControl();
      case I.with:
        return this.branch('with');
      default:
    }
    this.backup();
    const t = this.peek();
    return { type: 'action', pos: t.pos, line: t.line, tree: this, pipe: this.pipeline('command', I.rightDelim) };
  }

  private breakControl(pos: number, line: number, kind: 'break' | 'continue'): Node {
    const token = this.nextNonSpace();
    if (token.typ !== I.rightDelim) this.unexpected(token, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { type: kind, pos, line, tree: this };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = {
      type: 'pipe',
      pos: token.pos,
      line: token.line,
      tree: this,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ === I.variable) {
        this.next();
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.typ === I.assign || next.typ === I.declare) {
          pipe.isAssign = next.typ === I.assign;
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.val));
          this.vars.push(v.val);
        } else if (next.typ === I.char && next.val === ',') {
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.val));
          this.vars.push(v.val);
          if (context === 'range' && pipe.decl.length < 2) {
            const t = this.peekNonSpace().typ;
            if (t === I.variable || t === I.rightDelim || t === I.rightParen) continue decls;
            this.errorf('range can only initialize variables');
          }
          this.errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.typ === I.space) {
          this.backup3(v, tokenAfterVariable);
        } else {
          this.backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case I.bool:
        case I.charConstant:
        case I.complex:
        case I.dot:
        case I.field:
        case I.identifier:
        case I.number:
        case I.nil:
        case I.rawString:
        case I.string:
        case I.variable:
        case I.leftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]?.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private parseControl(context: 'if' | 'range' | 'with'): [PipeNode, ListNode, ListNode | null] {
    const varsLen = this.vars.length;
    try {
      const pipe = this.pipeline(context, I.rightDelim);
      if (context === 'range') this.rangeDepth++;
      const [list, next0] = this.itemList();
      let next = next0;
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        if (context === 'if' && this.peek().typ === I.if) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branch('if'));
        } else if (context === 'with' && this.peek().typ === I.with) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branch('with'));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return [pipe, list, elseList];
    } finally {
      this.vars.length = varsLen;
    }
  }

  private branch(context: 'if' | 'range' | 'with'): BranchNode {
    const [pipe, list, elseList] = this.parseControl(context);
    return { type: context, pos: pipe.pos, line: pipe.line, tree: this, pipe, list, elseList };
  }

  private endControl(): Node {
    return { type: 'end', pos: this.expect(I.rightDelim, 'end').pos, tree: this };
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.typ === I.if || peek.typ === I.with) return { type: 'else', pos: peek.pos, line: peek.line, tree: this };
    const token = this.expect(I.rightDelim, 'else');
    return { type: 'else', pos: token.pos, line: token.line, tree: this };
  }

  private blockControl(): Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, I.rightDelim);
    const block = new Tree(name);
    block.text = this.text;
    block.parseName = this.parseName;
    block.startParse(this.funcs, this.lex, this.treeSet);
    const [list, end] = block.itemList();
    block.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.add();
    return { type: 'template', pos: token.pos, line: token.line, tree: this, name, pipe };
  }

  private templateControl(): Node {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== I.rightDelim) {
      this.backup();
      pipe = this.pipeline(context, I.rightDelim);
    }
    return { type: 'template', pos: token.pos, line: token.line, tree: this, name, pipe };
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.typ === I.string || token.typ === I.rawString) {
      const s = unquote(token.val);
      if (s === null) this.errorf('invalid syntax');
      return s;
    }
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, tree: this, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === I.space) continue;
      if (token.typ === I.rightDelim || token.typ === I.rightParen) this.backup();
      else if (token.typ !== I.pipe) this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (node === null) return null;
    if (this.peek().typ === I.field) {
      const chain: ChainNode = { type: 'chain', pos: this.peek().pos, tree: this, node, field: [] };
      while (this.peek().typ === I.field) {
        const f = this.next().val;
        chain.field.push(f.slice(1));
      }
      switch (node.type) {
        case 'field':
          node = { type: 'field', pos: chain.pos, tree: this, ident: nodeString(chain).split('.').slice(1) };
          break;
        case 'variable':
          node = this.newVariable(chain.pos, nodeString(chain));
          break;
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.errorf(`unexpected . after term ${goQuote(nodeString(node))}`);
          break;
        default:
          node = chain;
      }
    }
    return node;
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case I.identifier:
        if (!this.hasFunction(token.val)) this.errorf(`function ${goQuote(token.val)} not defined`);
        return { type: 'identifier', pos: token.pos, tree: this, ident: token.val };
      case I.dot:
        return { type: 'dot', pos: token.pos, tree: this };
      case I.nil:
        return { type: 'nil', pos: token.pos, tree: this };
      case I.variable:
        return this.useVar(token.pos, token.val);
      case I.field:
        return { type: 'field', pos: token.pos, tree: this, ident: token.val.split('.').slice(1) };
      case I.bool:
        return { type: 'bool', pos: token.pos, tree: this, value: token.val === 'true' };
      case I.charConstant:
      case I.complex:
      case I.number:
        return this.newNumber(token.pos, token.val, token.typ);
      case I.leftParen:
        return this.pipeline('parenthesized pipeline', I.rightParen);
      case I.string:
      case I.rawString: {
        const s = unquote(token.val);
        if (s === null) this.errorf('invalid syntax');
        return { type: 'string', pos: token.pos, tree: this, quoted: token.val, text: s };
      }
      default:
    }
    this.backup();
    return null;
  }

  private newVariable(pos: number, name: string): VariableNode {
    return { type: 'variable', pos, tree: this, ident: name.split('.') };
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (this.vars.includes(v.ident[0] ?? '')) return v;
    this.errorf(`undefined variable ${goQuote(v.ident[0] ?? '')}`);
  }

  private newList(pos: number): ListNode {
    return { type: 'list', pos, tree: this, nodes: [] };
  }

  private newNumber(pos: number, text: string, typ: ItemType): NumberNode {
    const n: NumberNode = {
      type: 'number',
      pos,
      tree: this,
      text,
      isInt: false,
      isUint: false,
      isFloat: false,
      isComplex: false,
      int64: 0n,
      uint64: 0n,
      float64: 0,
      complex: [0, 0],
    };
    if (typ === I.charConstant) {
      // strconv.UnquoteChar of the first character, then the closing quote must follow
      const body = text.slice(1);
      let first: { s: string; next: number } | null;
      if (body[0] === '\\') first = unquoteEscape(body, 0, "'");
      else if (body[0] === "'" || body === '') first = null;
      else {
        const cp = body.codePointAt(0) ?? 0;
        first = { s: String.fromCodePoint(cp), next: cp > 0xffff ? 2 : 1 };
      }
      if (first === null) this.errorf('invalid syntax');
      if (body.slice(first.next) !== "'") this.errorf(`malformed character constant: ${text}`);
      const s = first.s;
      const r = BigInt(s.codePointAt(0) ?? 0);
      n.int64 = r;
      n.isInt = true;
      n.uint64 = r;
      n.isUint = true;
      n.float64 = Number(r);
      n.isFloat = true;
      return n;
    }
    if (typ === I.complex) {
      // fmt.Sscan of "re±imi"
      const m = /^([+-]?[^+-]*(?:[eEpP][+-][^+-]*)?)([+-].*)i$/.exec(text);
      const re = m ? goParseFloat(m[1] ?? '') : null;
      const im = m ? goParseFloat(m[2] ?? '') : null;
      if (re === null || im === null) this.errorf('expected integer');
      n.isComplex = true;
      n.complex = [re, im];
      simplifyComplex(n);
      return n;
    }
    if (text.endsWith('i')) {
      const f = goParseFloat(text.slice(0, -1));
      if (f !== null) {
        n.isComplex = true;
        n.complex = [0, f];
        simplifyComplex(n);
        return n;
      }
    }
    const iv = goIntLiteral(text);
    if (iv !== null) {
      if (iv >= 0n && iv <= UINT64_MAX && text[0] !== '+' && text[0] !== '-') {
        n.isUint = true;
        n.uint64 = iv;
      }
      if (iv >= INT64_MIN && iv <= INT64_MAX) {
        n.isInt = true;
        n.int64 = iv;
        if (iv === 0n) {
          n.isUint = true;
          n.uint64 = 0n;
        }
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = goParseFloat(text);
      if (f !== null && Number.isFinite(f)) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${goQuote(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (Number.isInteger(f) && f >= -9223372036854775808 && f < 9223372036854775808) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (Number.isInteger(f) && f >= 0 && f < 18446744073709551616) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${goQuote(text)}`);
    return n;
  }
}
