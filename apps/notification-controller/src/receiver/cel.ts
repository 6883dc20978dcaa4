/**
 * The CEL expressions of a Receiver (notification-controller `receiver_resource_filter.go`, `receiver_claims.go`):
 * `spec.resourceFilter` and `resources[].filter` over `res` (the object's metadata), `req` (the JSON body) and, for
 * `generic-oidc`, `claims`; and the `oidcProviders[]` variables and validations over `claims` and `vars`. Evaluated
 * with @bufbuild/cel, every JSON value converted by @flux-ts/schema's `toCel`, as libs/runtime's dependsOn does. The
 * engine is imported on first use (issue 22): await {@link loadReceiverCel} before compiling.
 */
import type { CelInput } from '@bufbuild/cel';
import type { ReceiverSpec } from '@flux-ts/api';
import { errMessage } from '@flux-ts/runtime';
import { loadCel, loadedCel, type CelEngine, type CelProgram } from '@flux-ts/schema/lazy-cel';

type Program = CelProgram;

/** Imports the CEL engine once per process; the compile functions below need it. */
export async function loadReceiverCel(): Promise<void> {
  await loadCel();
}

function cel(): CelEngine {
  const engine = loadedCel();
  if (!engine) throw new Error('the CEL engine is not loaded (await loadReceiverCel first)');
  return engine;
}

/** One `spec.oidcProviders[]` entry. */
export type OIDCProvider = NonNullable<ReceiverSpec['oidcProviders']>[number];

/** A compiled CEL expression that must evaluate to a boolean. */
export interface BoolExpression {
  readonly source: string;
  /** Evaluates with the given variables (plain JSON values); throws when it fails or does not return a bool. */
  evaluate(vars: Readonly<Record<string, unknown>>): boolean;
}

// @bufbuild/cel exports no type checker: a non-boolean result is refused when evaluated (fluxcd/pkg checks the
// output type at compile time with dynamic struct variables, which lets the same expressions through).
function compile(expr: string): Program {
  const { celEnv, parse, plan, strings } = cel();
  return plan(celEnv({ funcs: strings }), parse(expr));
}

function toBindings(vars: Readonly<Record<string, unknown>>): Record<string, CelInput> {
  const out: Record<string, CelInput> = {};
  const { toCel } = cel();
  for (const [k, v] of Object.entries(vars)) out[k] = v instanceof Map ? (v as CelInput) : toCel(v);
  return out;
}

function run(program: Program, source: string, vars: Readonly<Record<string, unknown>>): unknown {
  const r = program(toBindings(vars) as never);
  if (cel().isCelError(r)) throw new Error(`failed to evaluate the CEL expression '${source}': ${r.message}`);
  return r;
}

/** Compiles a boolean CEL expression; throws an Error naming the parse failure. */
export function compileBoolExpression(expr: string): BoolExpression {
  let program: Program;
  try {
    program = compile(expr);
  } catch (err) {
    throw new Error(`failed to parse the CEL expression '${expr}': ${errMessage(err)}`, { cause: err });
  }
  return {
    source: expr,
    evaluate(vars) {
      const r = run(program, expr, vars);
      if (typeof r !== 'boolean') throw new Error(`the CEL expression '${expr}' must return a boolean`);
      return r;
    },
  };
}

/** Checks a `resourceFilter` or `resources[].filter` expression (upstream `ValidateResourceFilter`). */
export function validateResourceFilter(expr: string): void {
  compileBoolExpression(expr);
}

/** The `oidcProviders[]` variables and validations of one issuer, compiled (upstream `oidcClaimsProcessor`). */
export class OIDCClaimsProcessor {
  readonly #variables: { name: string; program: Program; source: string }[] = [];
  readonly #validations: { expr: BoolExpression; message: string }[] = [];

  /** Compiles every expression of `p`; throws naming the variable or validation that does not parse. */
  constructor(p: Pick<OIDCProvider, 'variables' | 'validations'>) {
    for (const v of p.variables ?? []) {
      try {
        this.#variables.push({ name: v.name, program: compile(v.expression), source: v.expression });
      } catch (err) {
        throw new Error(`invalid expression for variable "${v.name}": ${errMessage(err)}`, { cause: err });
      }
    }
    for (const v of p.validations) {
      try {
        this.#validations.push({ expr: compileBoolExpression(v.expression), message: v.message });
      } catch (err) {
        throw new Error(`invalid expression for validation "${v.message}": ${errMessage(err)}`, { cause: err });
      }
    }
  }

  /** Runs the variables in order, then every validation; the failing messages are joined into one error. */
  evaluate(claims: Readonly<Record<string, unknown>>): void {
    const vars = new Map<string, CelInput>();
    const claimsCel = cel().toCel(claims);
    for (const v of this.#variables) {
      let value: unknown;
      try {
        value = run(v.program, v.source, { claims: claimsCel, vars });
      } catch (err) {
        throw new Error(`failed to evaluate variable "${v.name}": ${errMessage(err)}`, { cause: err });
      }
      vars.set(v.name, value as CelInput);
    }
    const failures: string[] = [];
    for (const v of this.#validations) {
      let ok: boolean;
      try {
        ok = v.expr.evaluate({ claims: claimsCel, vars });
      } catch (err) {
        throw new Error(`failed to evaluate validation: ${errMessage(err)}`, { cause: err });
      }
      if (!ok) failures.push(v.message);
    }
    if (failures.length > 0) throw new Error(`token validation failed: ${failures.join('; ')}`);
  }
}

/**
 * Mirrors the CRD constraints of `oidcProviders` (upstream `ValidateOIDCProvidersSpec`) for servers that skip them;
 * returns the first violation, surfaced under ValidationFailed.
 */
export function validateOIDCProvidersSpec(providers: readonly OIDCProvider[]): string | undefined {
  const seen = new Set<string>();
  for (const [i, p] of providers.entries()) {
    if (!p.issuerURL) return `oidcProviders[${i}]: issuerURL is required`;
    if (!/^https?:\/\//.test(p.issuerURL))
      return `oidcProviders[${i}]: issuerURL ${JSON.stringify(p.issuerURL)} must start with http:// or https://`;
    if (seen.has(p.issuerURL)) return `oidcProviders[${i}]: duplicate issuerURL ${JSON.stringify(p.issuerURL)}`;
    seen.add(p.issuerURL);
    const at = `oidcProviders[${i}] (issuerURL=${JSON.stringify(p.issuerURL)})`;
    if ((p.validations ?? []).length === 0)
      return `${at}: at least one validation is required; without validations any caller able to obtain a token from this issuer can trigger the Receiver`;
    for (const [j, v] of (p.variables ?? []).entries()) {
      if (!v.name) return `${at}: variables[${j}]: name is required`;
      if (!v.expression) return `${at}: variables[${j}] (name=${JSON.stringify(v.name)}): expression is required`;
    }
    for (const [j, v] of p.validations.entries()) {
      if (!v.expression) return `${at}: validations[${j}]: expression is required`;
      if (!v.message) return `${at}: validations[${j}]: message is required`;
    }
  }
  return undefined;
}

/** Compiles every provider's expressions (upstream `CompileOIDCProviders`); the first error, for InvalidCELExpression. */
export function compileOIDCProviders(providers: readonly OIDCProvider[]): string | undefined {
  for (const [i, p] of providers.entries()) {
    try {
      new OIDCClaimsProcessor(p);
    } catch (err) {
      return `oidcProviders[${i}] (issuerURL=${JSON.stringify(p.issuerURL)}): ${errMessage(err)}`;
    }
  }
  return undefined;
}
