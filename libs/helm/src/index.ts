/** Go text/template: template sets, parsing and execution with Go's semantics and error messages. */
export { Template, ExecError, ParseError, isTrue } from './template/index.ts';
export type { MissingKey } from './template/index.ts';
/** The builtin functions of text/template (and, or, not, len, index, slice, eq…, print…, html, js, urlquery, call). */
export { BUILTINS } from './template/index.ts';
/** Go's fmt: Sprint, Sprintf, Sprintln, strconv.Quote and strconv.FormatFloat. */
export { sprint, sprintf, sprintln, goQuote, formatFloat } from './template/index.ts';
/** The Go value model: typed integers and floats, json.Number, functions (GoFunc, FuncMap), structs, map types. */
export {
  GoInt,
  GoFloat,
  GoComplex,
  JsonNumber,
  GoFunc,
  GoStruct,
  GO_TYPE,
  typeName,
  kindOf,
} from './template/index.ts';
export type { FuncMap, ParamType, GoIntKind, Kind } from './template/index.ts';
/** Helm's form of a Go parse error, `parse error at (FILE:LINE): MSG` (pkg/engine cleanupParseError). */
export { cleanupParseError } from './engine/errors.ts';
