// Go's text/template (template.go, exec.go): template sets, options, and execution with Go's reflection rules
// over the value model of values.ts, including its error messages ("template: NAME:L:C: executing …").
import { BUILTINS } from './builtins.ts';
import { goQuote, sprint } from './fmt.ts';
import { nodeString, Tree, isEmptyTree } from './parse.ts';
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from './parse.ts';
import {
  Boxed,
  GoComplex,
  GoStruct,
  fitsInt,
  indirectInterface,
  isMap,
  kindOf,
  makeInt,
  mapGet,
  methodsOf,
  sortedEntries,
  typeName,
  paramTypeName,
  intValue,
  floatValue,
  stringValue,
  assignable,
  canBeNil,
  nilOf,
  type FuncMap,
  type GoFunc,
  type ParamType,
} from './values.ts';

/** An execution error, with Go's message. */
export class ExecError extends Error {
  override name = 'ExecError';
}

/** Missing-key behaviour: Go's `missingkey=default|invalid`, `zero`, `error`. */
export type MissingKey = 'invalid' | 'zero' | 'error';

interface Common {
  tmpl: Map<string, Template>;
  funcs: FuncMap;
  funcNames: Set<string>;
  missingKey: MissingKey;
}

const BUILTIN_NAMES: ReadonlySet<string> = new Set(Object.keys(BUILTINS));
const MAX_EXEC_DEPTH = 100000;

/** A Go text/template: a named template sharing a set (and funcs, options) with the templates it defines. */
export class Template {
  readonly name: string;
  tree: Tree | null = null;
  private readonly common: Common;
  private leftDelim = '';
  private rightDelim = '';

  constructor(name: string, common?: Common) {
    this.name = name;
    this.common = common ?? { tmpl: new Map(), funcs: {}, funcNames: new Set(), missingKey: 'invalid' };
  }

  /** A new template in the same set (text/template's t.New). */
  new(name: string): Template {
    const t = new Template(name, this.common);
    t.leftDelim = this.leftDelim;
    t.rightDelim = this.rightDelim;
    return t;
  }

  /** Adds functions (template.FuncMap); builtins of the same name are overridden. */
  funcs(map: FuncMap): this {
    for (const [k, v] of Object.entries(map)) {
      this.common.funcs[k] = v;
      this.common.funcNames.add(k);
    }
    return this;
  }

  /** Sets an option; only `missingkey=…` exists. */
  option(opt: string): this {
    const m = /^missingkey=(.*)$/.exec(opt);
    if (!m) throw new Error(`unrecognized option: ${opt}`);
    switch (m[1]) {
      case 'invalid':
      case 'default':
        this.common.missingKey = 'invalid';
        break;
      case 'zero':
        this.common.missingKey = 'zero';
        break;
      case 'error':
        this.common.missingKey = 'error';
        break;
      default:
        throw new Error(`unrecognized option: ${opt}`);
    }
    return this;
  }

  /** Sets the action delimiters. */
  delims(left: string, right: string): this {
    this.leftDelim = left;
    this.rightDelim = right;
    return this;
  }

  /** The template of that name in the set, if any. */
  lookup(name: string): Template | undefined {
    return this.common.tmpl.get(name);
  }

  /** Names of the templates of the set. */
  templates(): Template[] {
    return [...this.common.tmpl.values()];
  }

  /** The function map of the set (for functions like Helm's `include` that execute templates). */
  get missingKey(): MissingKey {
    return this.common.missingKey;
  }

  /** Parses text as this template's body; its definitions join the set. Throws ParseError. */
  parse(text: string): this {
    const treeSet = new Map<string, Tree>();
    const root = new Tree(this.name);
    root.parse(text, this.leftDelim, this.rightDelim, treeSet, [this.common.funcNames, BUILTIN_NAMES]);
    for (const [name, tree] of treeSet) this.addParseTree(name, tree);
    return this;
  }

  private addParseTree(name: string, tree: Tree): void {
    const nt = name === this.name ? this : (this.common.tmpl.get(name) ?? this.new(name));
    const old = this.common.tmpl.get(name);
    // Go's AddParseTree: an empty tree does not replace a defined template, but a template without a tree gets it.
    const associate = !(old !== undefined && isEmptyTree(tree.root) && old.tree !== null);
    if (associate) this.common.tmpl.set(name, nt);
    if (associate || nt.tree === null) nt.tree = tree;
  }

  /**
   * text/template's Clone: a copy of the set (same trees, copied function map) that later parses don't share.
   * Like Go's, it keeps the option only because it is copied explicitly here; Helm re-sets it anyway.
   */
  clone(): Template {
    const common: Common = {
      tmpl: new Map(),
      funcs: { ...this.common.funcs },
      funcNames: new Set(this.common.funcNames),
      missingKey: this.common.missingKey,
    };
    const nt = new Template(this.name, common);
    nt.leftDelim = this.leftDelim;
    nt.rightDelim = this.rightDelim;
    nt.tree = this.tree;
    for (const [k, v] of this.common.tmpl) {
      if (k === this.name) {
        common.tmpl.set(k, nt);
        continue;
      }
      const c = new Template(k, common);
      c.leftDelim = v.leftDelim;
      c.rightDelim = v.rightDelim;
      c.tree = v.tree;
      common.tmpl.set(k, c);
    }
    return nt;
  }

  /** Executes the template on data; returns the output. Throws ExecError. */
  execute(data: unknown): string {
    const s: State = new State(this, data);
    const root = this.tree?.root;
    if (root === null || root === undefined) s.errorf(`${goQuote(this.name)} is an incomplete or empty template`);
    s.walk(data, root);
    return s.out.join('');
  }

  /** Executes the named template of the set. */
  executeTemplate(name: string, data: unknown): string {
    const t = this.lookup(name);
    if (t === undefined)
      throw new ExecError(`template: no template ${goQuote(name)} associated with template ${goQuote(this.name)}`);
    return t.execute(data);
  }

  /** @internal */
  findFunction(name: string): { fn: GoFunc; builtin: boolean } | undefined {
    const f = this.common.funcs[name];
    if (f !== undefined) return { fn: f, builtin: false };
    const b = BUILTINS[name];
    if (b !== undefined) return { fn: b, builtin: true };
    return undefined;
  }
}

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

/** The "no final argument" marker of a command. */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

/** Converts a string index to Go's byte column for error locations. */
function errorContext(n: Node): { location: string; context: string } {
  const tree = n.tree;
  const text = tree.text.slice(0, n.pos);
  const nl = text.lastIndexOf('\n');
  const lineStart = nl + 1;
  const byteNum = Buffer.byteLength(text.slice(lineStart), 'utf8');
  let lineNum = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineNum++;
  return { location: `${tree.parseName}:${lineNum}:${byteNum}`, context: nodeString(n) };
}

interface Variable {
  name: string;
  value: unknown;
}

class State {
  tmpl: Template;
  out: string[] = [];
  node: Node | null = null;
  vars: Variable[];
  depth = 0;

  constructor(tmpl: Template, data: unknown) {
    this.tmpl = tmpl;
    this.vars = [{ name: '$', value: data }];
  }

  at(n: Node): void {
    this.node = n;
  }

  errorf(msg: string): never {
    const name = this.tmpl.name;
    if (this.node === null) throw new ExecError(`template: ${name}: ${msg}`);
    const { location, context } = errorContext(this.node);
    throw new ExecError(`template: ${location}: executing ${goQuote(name)} at <${context}>: ${msg}`);
  }

  mark(): number {
    return this.vars.length;
  }
  pop(mark: number): void {
    this.vars.length = mark;
  }
  push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }
  setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  setTopVar(n: number, value: unknown): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }
  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'comment':
        return;
      case 'if':
      case 'with':
        return this.walkIfOrWith(node, dot);
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'text':
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  walkIfOrWith(node: BranchNode, dot: unknown): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      const [truth, ok] = isTrue(indirectInterface(val));
      if (!ok) this.errorf(`if/with can't use ${sprint([val])}`);
      if (truth) {
        if (node.type === 'with') this.walk(val, node.list);
        else this.walk(dot, node.list);
      } else if (node.elseList !== null) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = indirect(this.evalPipeline(dot, r.pipe)).v;
      const mark = this.mark();
      const oneIteration = (index: unknown, elem: unknown): void => {
        const decl = r.pipe.decl;
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            if (decl.length > 1) this.setVar(decl[0]?.ident[0] ?? '', index);
            else this.setVar(decl[0]?.ident[0] ?? '', elem);
          } else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]?.ident[0] ?? '', elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };
      const k = kindOf(val);
      switch (k) {
        case 'slice': {
          const arr = val as unknown[];
          if (arr.length === 0) break;
          for (let i = 0; i < arr.length; i++) oneIteration(BigInt(i), boxElem(arr[i]));
          return;
        }
        case 'bytes': {
          const arr = val as Uint8Array;
          if (arr.length === 0) break;
          for (let i = 0; i < arr.length; i++) oneIteration(BigInt(i), makeInt('uint8', BigInt(arr[i] ?? 0)));
          return;
        }
        case 'int':
        case 'uint': {
          if (r.pipe.decl.length > 1) {
            this.errorf(`can't use ${sprint([val])} to iterate over more than one variable`);
          }
          const n = intValue(val);
          if (n <= 0n) break;
          const t = typeName(val);
          for (let i = 0n; i < n; i++) oneIteration(undefined, t === 'int' ? i : makeInt(t as 'int64', i));
          return;
        }
        case 'map': {
          const entries = sortedEntries(val as Record<string, unknown>);
          if (entries.length === 0) break;
          for (const [key, v] of entries) oneIteration(key, boxElem(v));
          return;
        }
        case 'invalid':
          break;
        case 'func':
          this.errorf(`range can't iterate over ${sprint([val])}`);
          break;
        default:
          this.errorf(`range can't iterate over ${sprint([val])}`);
      }
      if (r.elseList !== null) this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.pop(outer);
    }
  }

  walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tmpl = this.tmpl.lookup(t.name);
    if (tmpl === undefined || tmpl.tree === null) this.errorf(`template ${goQuote(t.name)} not defined`);
    if (this.depth === MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    dot = this.evalPipeline(dot, t.pipe);
    const ns = new State(tmpl, dot);
    ns.out = this.out;
    ns.depth = this.depth + 1;
    try {
      ns.walk(dot, tmpl.tree.root as ListNode);
    } catch (e) {
      // Go stops at 100000 nested templates; JavaScript's stack ends sooner: report it as Go does.
      if (!(e instanceof RangeError) || !e.message.includes('call stack')) throw e;
      this.at(t);
      this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    }
  }

  evalPipeline(dot: unknown, pipe: PipeNode | null): unknown {
    if (pipe === null) return undefined;
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      value = indirectInterface(value);
    }
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0] ?? '', value);
      else this.push(variable.ident[0] ?? '', value);
    }
    return value;
  }

  notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0] as Node)}`);
    }
  }

  evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const firstWord = cmd.args[0] as Node;
    switch (firstWord.type) {
      case 'field':
        return this.evalFieldNode(dot, firstWord, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, firstWord, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, firstWord, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, firstWord);
      case 'variable':
        return this.evalVariableNode(dot, firstWord, cmd.args, final);
      default:
    }
    this.at(firstWord);
    this.notAFunction(cmd.args, final);
    switch (firstWord.type) {
      case 'bool':
        return firstWord.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
        break;
      case 'number':
        return this.idealConstant(firstWord);
      case 'string':
        return firstWord.text;
      default:
    }
    this.errorf(`can't evaluate command ${goQuote(nodeString(firstWord))}`);
  }

  idealConstant(c: NumberNode): unknown {
    this.at(c);
    const t = c.text;
    const isHexInt = t.length > 2 && t[0] === '0' && (t[1] === 'x' || t[1] === 'X') && !/[pP]/.test(t);
    const isRuneInt = t.length > 0 && t[0] === "'";
    if (c.isComplex) return new GoComplex(c.complex[0], c.complex[1]);
    if (c.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(t)) return c.float64;
    if (c.isInt) return c.int64;
    if (c.isUint) this.errorf(`${t} overflows int`);
    return undefined;
  }

  evalFieldNode(dot: unknown, field: FieldNode, args: Node[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  evalChainNode(dot: unknown, chain: ChainNode, args: Node[], final: Final): unknown {
    this.at(chain);
    if (chain.field.length === 0) this.errorf('internal error: no fields in evalChainNode');
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, 'none', chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  evalVariableNode(dot: unknown, variable: VariableNode, args: Node[], final: Final): unknown {
    this.at(variable);
    const value = this.varValue(variable.ident[0] ?? '');
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: string[], args: Node[], final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i] ?? '', node, [], MISSING, receiver);
    return this.evalField(dot, ident[n - 1] ?? '', node, args, final, receiver);
  }

  evalField(dot: unknown, fieldName: string, node: Node, args: Node[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined) {
      if (this.tmpl.missingKey === 'error') this.errorf(`nil data; no entry for key ${goQuote(fieldName)}`);
      return undefined;
    }
    const typ = typeName(receiver);
    const { v: rcv, isNil } = indirect(receiver);
    if (receiver === null || (receiver instanceof Boxed && isNil)) {
      this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
    }
    const owner = rcv instanceof GoStruct ? (rcv.promoted(fieldName) ?? rcv) : rcv;
    const methods = methodsOf(owner);
    if (methods !== undefined && Object.prototype.hasOwnProperty.call(methods, fieldName)) {
      return this.evalCall(dot, methods[fieldName] as GoFunc, false, node, fieldName, args, final);
    }
    const hasArgs = args.length > 1 || final !== MISSING;
    if (owner instanceof GoStruct) {
      if (owner.fields.has(fieldName)) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return owner.fields.get(fieldName);
      }
    } else if (isMap(rcv)) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const r = mapGet(rcv, fieldName);
      if (!r.has) {
        switch (this.tmpl.missingKey) {
          case 'invalid':
            return undefined;
          case 'zero':
            return null;
          case 'error':
            this.errorf(`map has no entry for key ${goQuote(fieldName)}`);
        }
      }
      return boxElem(r.value);
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: Node[], final: Final): unknown {
    this.at(node);
    const name = node.ident;
    const f = this.tmpl.findFunction(name);
    if (f === undefined) this.errorf(`${goQuote(name)} is not a defined function`);
    return this.evalCall(dot, f.fn, f.builtin, cmd, name, args, final);
  }

  evalCall(
    dot: unknown,
    fun: GoFunc,
    isBuiltin: boolean,
    node: Node,
    name: string,
    args: Node[],
    final: Final,
  ): unknown {
    const callArgs = args.length > 0 ? args.slice(1) : args;
    let numIn = callArgs.length;
    if (final !== MISSING) numIn++;
    const numParams = fun.params.length + (fun.variadic !== undefined ? 1 : 0);
    let numFixed = callArgs.length;
    if (fun.variadic !== undefined) {
      numFixed = fun.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${callArgs.length}`);
      }
    } else if (numIn !== numParams) {
      this.errorf(`wrong number of args for ${name}: want ${numParams} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: unknown = undefined;
      for (const arg of callArgs) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(indirectInterface(v))[0] === (name === 'or')) return v;
      }
      if (final !== MISSING) v = this.validateType(final, 'value');
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < callArgs.length; i++) {
      argv.push(this.evalArg(dot, fun.params[i] as ParamType, callArgs[i] as Node));
    }
    if (fun.variadic !== undefined) {
      for (; i < callArgs.length; i++) argv.push(this.evalArg(dot, fun.variadic, callArgs[i] as Node));
    }
    if (final !== MISSING) {
      let t: ParamType;
      if (fun.variadic !== undefined) t = numIn - 1 < numFixed ? (fun.params[numIn - 1] as ParamType) : fun.variadic;
      else t = fun.params[numParams - 1] as ParamType;
      argv.push(this.validateType(final, t));
    }
    if (isBuiltin && name === 'call') {
      const calleeName = callArgs.length === 0 ? String(final) : nodeString(callArgs[0] as Node);
      argv.unshift(calleeName);
    }
    try {
      return (fun.fn as (...a: unknown[]) => unknown)(...argv);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      this.at(node);
      this.errorf(`error calling ${name}: ${(e as Error).message}`);
    }
  }

  /** Checks/converts a computed value for a parameter type ('none': no type, as for a chain's receiver). */
  validateType(value: unknown, typ: ParamType | 'none'): unknown {
    if (value === undefined) {
      if (typ === 'none') return undefined;
      if (typ === 'any') return null;
      if (typ === 'value') return undefined;
      if (canBeNil(typ)) return nilOf(typ);
      this.errorf(`invalid value; expected ${paramTypeName(typ)}`);
    }
    if (typ === 'none' || typ === 'value') return value;
    if (typ === 'any') return value instanceof Boxed ? value.v : value;
    let v: unknown = value;
    if (v instanceof Boxed) v = v.v;
    else if (v === null) this.errorf(`wrong type for value; expected ${paramTypeName(typ)}; got interface {}`);
    if (!assignable(v, typ)) this.errorf(`wrong type for value; expected ${paramTypeName(typ)}; got ${typeName(v)}`);
    return v;
  }

  evalArg(dot: unknown, typ: ParamType | 'none', n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'any' || typ === 'none') return null;
        if (typ === 'value') return undefined;
        if (canBeNil(typ)) return nilOf(typ);
        this.errorf(`cannot assign nil to ${paramTypeName(typ)}`);
        break;
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, [], MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, [], MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), typ);
      default:
    }
    switch (typ) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
        break;
      case 'float64':
        if (n.type === 'number' && n.isFloat) return n.float64;
        this.errorf(`expected float; found ${nodeString(n)}`);
        break;
      case 'string':
        if (n.type === 'string') return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
        break;
      case 'any':
      case 'value':
      case 'none':
        return this.evalEmptyInterface(dot, n);
      case 'map[string]interface {}':
      case '[]interface {}':
      case 'time.Time':
      case 'sprig.certificate':
        this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ}`);
        break;
      default:
        if (n.type === 'number' && (typ.startsWith('u') ? n.isUint : n.isInt)) {
          const v = typ.startsWith('u') ? n.uint64 : n.int64;
          if (!fitsInt(typ, v)) this.errorf(`${n.text} overflows ${typ}`);
          return makeInt(typ, v);
        }
        this.errorf(`expected ${typ.startsWith('u') ? 'unsigned ' : ''}integer; found ${nodeString(n)}`);
    }
    return undefined;
  }

  evalEmptyInterface(dot: unknown, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
      default:
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type interface {}`);
  }

  printValue(n: Node, v: unknown): void {
    this.at(n);
    if (v === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (kindOf(v) === 'func') this.errorf(`can't print ${nodeString(n)} of type ${typeName(v)}`);
    const str = v instanceof GoStruct && v.pointerMethods ? v.methods['String'] : undefined;
    if (str !== undefined && str.params.length === 0) {
      // printValue takes the address of an addressable value whose pointer is a Stringer.
      this.out.push(String((str.fn as () => unknown)()));
      return;
    }
    // text/template's printableValue indirects a pointer before printing (no `&`).
    const text = sprint([v]);
    this.out.push(v instanceof GoStruct && v.typeName.startsWith('*') ? text.replace(/^&/, '') : text);
  }
}

/** Map and slice elements have static type interface{}: a nil element is a nil interface, others are boxed. */
function boxElem(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  return new Boxed(v);
}

/** reflect-style indirect through interfaces: stops at a nil interface. */
function indirect(v: unknown): { v: unknown; isNil: boolean } {
  if (v instanceof Boxed) return { v: v.v, isNil: false };
  if (v === null) return { v: null, isNil: true };
  return { v, isNil: false };
}

/** text/template's isTrue. */
export function isTrue(val: unknown): [boolean, boolean] {
  if (val === undefined || val === null) return [false, true];
  switch (kindOf(val)) {
    case 'slice':
      return [(val as unknown[]).length > 0, true];
    case 'bytes':
      return [(val as Uint8Array).length > 0, true];
    case 'map':
      return [sortedEntries(val as Record<string, unknown>).length > 0, true];
    case 'string':
      return [stringValue(val).length > 0, true];
    case 'bool':
      return [val as boolean, true];
    case 'int':
    case 'uint':
      return [intValue(val) !== 0n, true];
    case 'float':
      return [floatValue(val) !== 0, true];
    case 'complex':
      return [(val as GoComplex).re !== 0 || (val as GoComplex).im !== 0, true];
    case 'func':
      return [true, true];
    case 'struct':
      return [true, true];
    default:
      return [false, false];
  }
}
