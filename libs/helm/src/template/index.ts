export { Template, ExecError, isTrue } from './exec.ts';
export type { MissingKey } from './exec.ts';
export { ParseError } from './parse.ts';
export { BUILTINS } from './builtins.ts';
export { sprint, sprintf, sprintln, goQuote, formatFloat } from './fmt.ts';
export * from './values.ts';
