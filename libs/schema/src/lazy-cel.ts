/**
 * The CEL engine (@bufbuild/cel with its strings extension, and {@link toCel}) imported on first use: the
 * controllers evaluate CEL only for objects that carry an expression (dependsOn `readyExpr`, `healthCheckExprs`,
 * `commitStatusExpr`, a Receiver's `resourceFilter`), so none of them pays for the engine at start (issue 22).
 * This module is the `@flux-ts/schema/lazy-cel` entry; the package's main entry loads the engine at once.
 */
import type * as Cel from '@bufbuild/cel';
import type * as CelExt from '@bufbuild/cel/ext';
import type * as CelConvert from './cel.ts';

/** The functions of the CEL engine that expression users need. */
export interface CelEngine {
  celEnv: typeof Cel.celEnv;
  parse: typeof Cel.parse;
  plan: typeof Cel.plan;
  isCelError: typeof Cel.isCelError;
  /** The strings extension (`lowerAscii`, `split`, …) as Flux's environments declare it. */
  strings: typeof CelExt.strings;
  /** Unstructured JSON → CEL values (see `@flux-ts/schema`'s `toCel`). */
  toCel: typeof CelConvert.toCel;
}

/** A compiled CEL program, as `plan` returns it. */
export type CelProgram = ReturnType<typeof Cel.plan>;

// The module-level state: the engine's import, started by the first caller and shared by all, and its result.
let engine: Promise<CelEngine> | undefined;
let loaded: CelEngine | undefined;

/** Imports the CEL engine once per process; later calls return the same promise. */
export function loadCel(): Promise<CelEngine> {
  engine ??= Promise.all([import('@bufbuild/cel'), import('@bufbuild/cel/ext'), import('./cel.ts')]).then(
    ([cel, ext, convert]) =>
      (loaded = {
        celEnv: cel.celEnv,
        parse: cel.parse,
        plan: cel.plan,
        isCelError: cel.isCelError,
        strings: ext.strings,
        toCel: convert.toCel,
      }),
  );
  return engine;
}

/** The CEL engine when {@link loadCel} has resolved, else undefined: for synchronous code that loaded it before. */
export function loadedCel(): CelEngine | undefined {
  return loaded;
}
