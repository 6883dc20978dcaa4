/** Flux postBuild substitution over YAML text and resources (fluxcd/pkg kustomize varsub). */
import { parse, stringify } from 'yaml';
import type { KObject } from '../resource.ts';
import { EnvsubstError, envsubst } from './envsubst.ts';

/** The label/annotation that opts a resource out of substitution when set to `disabled`. */
export const SUBSTITUTE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/substitute';

/** The variable name rule Flux enforces. */
export const VAR_NAME_REGEX = '^[_[:alpha:]][_[:alpha:][:digit:]]*$';
// Go's RE2 [:alpha:]/[:digit:] are ASCII-only
const varName = /^[_A-Za-z][_A-Za-z0-9]*$/;

/** Options of {@link substitute}. */
export interface SubstituteOptions {
  /** Strict mode (Flux's default since v1.9): an unset variable without default is an error. */
  strict?: boolean;
}

/**
 * Substitutes `${var}` expressions in YAML text with Flux's envsubst dialect. Variable names are validated;
 * errors read `variable substitution failed: …` as in kustomize-controller.
 */
export const substitute = (
  yamlText: string,
  vars: Readonly<Record<string, string>>,
  options: SubstituteOptions = {},
): string => {
  for (const name of Object.keys(vars)) {
    if (!varName.test(name)) throw new Error(`'${name}' var name is invalid, must match '${VAR_NAME_REGEX}'`);
  }
  try {
    return envsubst(yamlText, (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined), {
      strict: options.strict ?? false,
    });
  } catch (err) {
    if (err instanceof EnvsubstError) throw new Error(`variable substitution failed: ${err.message}`, { cause: err });
    throw err;
  }
};

const metaMap = (r: KObject, field: string): Record<string, unknown> => {
  const meta = r['metadata'];
  if (typeof meta !== 'object' || meta === null) return {};
  const m = (meta as KObject)[field];
  return typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : {};
};

/** True when the resource opts out with `kustomize.toolkit.fluxcd.io/substitute: disabled` (label or annotation). */
export const isSubstitutionDisabled = (resource: KObject): boolean =>
  metaMap(resource, 'labels')[SUBSTITUTE_ANNOTATION] === 'disabled' ||
  metaMap(resource, 'annotations')[SUBSTITUTE_ANNOTATION] === 'disabled';

/**
 * Substitutes variables in one resource: serialises it to YAML, runs {@link substitute} and parses it back.
 * Opted-out resources are returned unchanged; with no variables nothing is done (strategy `WithVariables`)
 * unless `always` is set (strategy `Always`).
 */
export const substituteResource = (
  resource: KObject,
  vars: Readonly<Record<string, string>>,
  options: SubstituteOptions & { always?: boolean } = {},
): KObject => {
  if (isSubstitutionDisabled(resource)) return resource;
  if (Object.keys(vars).length === 0 && !options.always) return resource;
  const text = substitute(stringify(resource, { lineWidth: 0 }), vars, options);
  const out: unknown = parse(text);
  if (typeof out !== 'object' || out === null || Array.isArray(out))
    throw new Error('variable substitution failed: result is not an object');
  return out as KObject;
};
