/**
 * Checks a CRD `openAPIV3Schema` itself: apiextensions ValidateStructural (invariants and forbidden keywords in
 * value validations, with the int-or-string exceptions) plus the practical parts of CRD schema validation
 * (list types, uniqueItems, preserve-unknown-fields, patterns, CEL rules that do not compile, bad defaults).
 */
import { compileRule, newCelEnv } from './cel.ts';
import { formatFieldError } from './go-format.ts';
import { compilePattern } from './regex.ts';
import { StructuralSchema } from './structural-schema.ts';
import type { FieldError, JSONSchemaProps } from './types.ts';
import type { CelEnv } from '@bufbuild/cel';

/** Options of {@link checkStructural}. */
export interface CheckStructuralOptions {
  /** Field path of the schema root, `openAPIV3Schema` unless given (e.g. `spec.versions[0].schema.openAPIV3Schema`). */
  rootPath?: string;
}

type Level = 'root' | 'item' | 'field';

const VALID_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

const isObj = (v: unknown): v is JSONSchemaProps => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMap = (v: unknown): v is Record<string, JSONSchemaProps> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (p: string, k: string): string => `${p}.${k}`;
const key = (p: string, k: string): string => `${p}[${k}]`;

function isTypeOnly(s: unknown, type: string): boolean {
  return isObj(s) && Object.keys(s).length === 1 && s.type === type;
}

function isIntOrStringAnyOf(anyOf: unknown): boolean {
  return (
    Array.isArray(anyOf) && anyOf.length === 2 && isTypeOnly(anyOf[0], 'integer') && isTypeOnly(anyOf[1], 'string')
  );
}

class Checker {
  readonly errs: FieldError[] = [];
  #cel: CelEnv | undefined;

  push(type: FieldError['type'], field: string, detail: string, badValue: unknown = ''): void {
    this.errs.push({ type, field, badValue, detail });
  }

  structural(s: JSONSchemaProps, lvl: Level, p: string): void {
    if (!isObj(s)) {
      this.push('FieldValueInvalid', p, 'must be an object', s);
      return;
    }
    const type = typeof s.type === 'string' ? s.type : '';
    const props = isMap(s.properties) ? s.properties : undefined;
    const ap = s.additionalProperties;
    const embedded = s['x-kubernetes-embedded-resource'] === true;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const intOrString = s['x-kubernetes-int-or-string'] === true;

    if (type === 'array' && s.items === undefined)
      this.push('FieldValueRequired', child(p, 'items'), 'must be specified');
    if (s.items !== undefined) {
      if (Array.isArray(s.items))
        this.push('FieldValueForbidden', child(p, 'items'), 'items must be a schema object and not an array');
      else this.structural(s.items, 'item', child(p, 'items'));
    }
    if (props !== undefined) {
      for (const [k, v] of Object.entries(props)) this.structural(v, 'field', key(child(p, 'properties'), k));
    }
    if (ap !== undefined) {
      if (lvl === 'root')
        this.push('FieldValueForbidden', child(p, 'additionalProperties'), 'must not be used at the root');
      if (isObj(ap)) this.structural(ap, 'field', child(p, 'additionalProperties'));
      if (props !== undefined && Object.keys(props).length > 0) {
        this.push(
          'FieldValueForbidden',
          child(p, 'additionalProperties'),
          'additionalProperties and properties are mutual exclusive',
        );
      }
    }
    if (type !== '' && !VALID_TYPES.includes(type)) {
      this.push(
        'FieldValueNotSupported',
        child(p, 'type'),
        `supported values: ${VALID_TYPES.map((t) => `"${t}"`).join(', ')}`,
        type,
      );
    }
    if (intOrString && preserve) {
      this.push(
        'FieldValueInvalid',
        child(p, 'x-kubernetes-preserve-unknown-fields'),
        'must be false if x-kubernetes-int-or-string is true',
        true,
      );
    }
    if (intOrString && embedded) {
      this.push(
        'FieldValueInvalid',
        child(p, 'x-kubernetes-embedded-resource'),
        'must be false if x-kubernetes-int-or-string is true',
        true,
      );
    }
    if (s['x-kubernetes-preserve-unknown-fields'] === false) {
      this.push(
        'FieldValueInvalid',
        child(p, 'x-kubernetes-preserve-unknown-fields'),
        'must be true or undefined',
        false,
      );
    }

    const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
    const skipFirstAllOfAnyOf =
      Array.isArray(s.allOf) && s.allOf.length >= 1 && isIntOrStringAnyOf((s.allOf[0] as JSONSchemaProps)?.anyOf);
    this.valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, p);

    const checkMetadata = lvl === 'root' || embedded;
    if (embedded && type !== 'object') {
      if (type === '')
        this.push('FieldValueRequired', child(p, 'type'), 'must be object if x-kubernetes-embedded-resource is true');
      else
        this.push(
          'FieldValueInvalid',
          child(p, 'type'),
          'must be object if x-kubernetes-embedded-resource is true',
          type,
        );
    } else if (type === '' && !intOrString && !preserve) {
      const msg =
        lvl === 'root'
          ? 'must not be empty at the root'
          : lvl === 'item'
            ? 'must not be empty for specified array items'
            : 'must not be empty for specified object fields';
      this.push('FieldValueRequired', child(p, 'type'), msg);
    }
    if (embedded && ap !== undefined) {
      this.push(
        'FieldValueForbidden',
        child(p, 'additionalProperties'),
        'must not be used if x-kubernetes-embedded-resource is set',
      );
    }
    if (lvl === 'root' && type !== '' && type !== 'object')
      this.push('FieldValueInvalid', child(p, 'type'), 'must be object at the root', type);
    if (props !== undefined && checkMetadata) {
      for (const f of ['kind', 'apiVersion']) {
        const fs = props[f];
        if (fs !== undefined && fs.type !== 'string') {
          this.push(
            'FieldValueInvalid',
            child(key(child(p, 'properties'), f), 'type'),
            'must be string',
            fs.type ?? '',
          );
        }
      }
    }
    const md = props?.['metadata'];
    if (md !== undefined) this.metadata(md, checkMetadata, lvl, key(child(p, 'properties'), 'metadata'));
    if (embedded && !preserve && (props === undefined || Object.keys(props).length === 0)) {
      this.push(
        'FieldValueRequired',
        child(p, 'properties'),
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      );
    }

    this.crdChecks(s, type, p);
  }

  metadata(s: JSONSchemaProps, checkMetadata: boolean, lvl: Level, p: string): void {
    if (checkMetadata && s.type !== 'object')
      this.push('FieldValueInvalid', child(p, 'type'), 'must be object', s.type ?? '');
    if (lvl !== 'root') return;
    const rest = Object.keys(s).filter((k) => !['type', 'default', 'description', 'properties'].includes(k));
    const propNames = isMap(s.properties) ? Object.keys(s.properties) : [];
    const onlyNames = propNames.every((k) => k === 'name' || k === 'generateName');
    if (rest.length > 0 || !onlyNames) {
      this.push(
        'FieldValueForbidden',
        p,
        'must not specify anything other than name and generateName, but metadata is implicitly specified',
      );
    }
  }

  valueValidation(v: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, p: string): void {
    if (!skipAnyOf && Array.isArray(v.anyOf))
      v.anyOf.forEach((x, i) => this.nested(x, false, `${child(p, 'anyOf')}[${i}]`));
    if (Array.isArray(v.allOf))
      v.allOf.forEach((x, i) => this.nested(x, skipFirstAllOfAnyOf && i === 0, `${child(p, 'allOf')}[${i}]`));
    if (Array.isArray(v.oneOf)) v.oneOf.forEach((x, i) => this.nested(x, false, `${child(p, 'oneOf')}[${i}]`));
    if (v.not !== undefined) this.nested(v.not, false, child(p, 'not'));
    if (typeof v.pattern === 'string' && v.pattern.length > 0) {
      const c = compilePattern(v.pattern);
      if (!c.ok)
        this.push(
          'FieldValueInvalid',
          child(p, 'pattern'),
          `must be a valid regular expression, but isn't: ${c.error}`,
          v.pattern,
        );
    }
  }

  nested(v: JSONSchemaProps, skipAnyOf: boolean, p: string): void {
    if (!isObj(v)) return;
    this.valueValidation(v, skipAnyOf, false, p);
    if (isObj(v.items)) this.nested(v.items, false, child(p, 'items'));
    if (isMap(v.properties))
      for (const [k, f] of Object.entries(v.properties)) this.nested(f, false, key(child(p, 'properties'), k));
    const forbid = (k: string, msg: string): void => this.push('FieldValueForbidden', child(p, k), msg);
    if (typeof v.type === 'string' && v.type.length > 0) forbid('type', 'must be empty to be structural');
    if (v.additionalProperties !== undefined) forbid('additionalProperties', 'must be undefined to be structural');
    if (v.default !== undefined && v.default !== null) forbid('default', 'must be undefined to be structural');
    if (typeof v.title === 'string' && v.title.length > 0) forbid('title', 'must be empty to be structural');
    if (typeof v.description === 'string' && v.description.length > 0)
      forbid('description', 'must be empty to be structural');
    if (v.nullable === true) forbid('nullable', 'must be false to be structural');
    if (v['x-kubernetes-preserve-unknown-fields'] === true)
      forbid('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
    if (v['x-kubernetes-embedded-resource'] === true)
      forbid('x-kubernetes-embedded-resource', 'must be false to be structural');
    if (v['x-kubernetes-int-or-string'] === true)
      forbid('x-kubernetes-int-or-string', 'must be false to be structural');
    if (Array.isArray(v['x-kubernetes-list-map-keys']) && v['x-kubernetes-list-map-keys'].length > 0) {
      forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
    }
    if (v['x-kubernetes-list-type'] !== undefined)
      forbid('x-kubernetes-list-type', 'must be undefined to be structural');
    if (v['x-kubernetes-map-type'] !== undefined) forbid('x-kubernetes-map-type', 'must be undefined to be structural');
    if (Array.isArray(v['x-kubernetes-validations']) && v['x-kubernetes-validations'].length > 0) {
      forbid('x-kubernetes-validations', 'must be empty to be structural');
    }
    if (isMap(v.properties) && Object.hasOwn(v.properties, 'metadata')) {
      this.push(
        'FieldValueForbidden',
        key(child(p, 'properties'), 'metadata'),
        'must not be specified in a nested context',
      );
    }
  }

  // apiextensions CRD schema validation outside ValidateStructural (the practical subset).
  crdChecks(s: JSONSchemaProps, type: string, p: string): void {
    if (s.uniqueItems === true) {
      this.push(
        'FieldValueForbidden',
        child(p, 'uniqueItems'),
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      );
    }
    const lt = s['x-kubernetes-list-type'];
    const mapKeys = s['x-kubernetes-list-map-keys'];
    if (lt !== undefined) {
      if (lt !== 'atomic' && lt !== 'set' && lt !== 'map') {
        this.push(
          'FieldValueNotSupported',
          child(p, 'x-kubernetes-list-type'),
          'supported values: "atomic", "set", "map"',
          lt,
        );
      } else if (type !== 'array') {
        this.push('FieldValueInvalid', child(p, 'x-kubernetes-list-type'), 'must only be used if type is array', lt);
      } else if (lt === 'map') {
        if (!Array.isArray(mapKeys) || mapKeys.length === 0) {
          this.push(
            'FieldValueRequired',
            child(p, 'x-kubernetes-list-map-keys'),
            'must not be empty if x-kubernetes-list-type is map',
          );
        }
        const items = isObj(s.items) ? s.items : undefined;
        if (items !== undefined && items.type !== 'object') {
          this.push(
            'FieldValueInvalid',
            child(child(p, 'items'), 'type'),
            "must be object if parent array's x-kubernetes-list-type is map",
            items.type ?? '',
          );
        }
        if (items !== undefined && Array.isArray(mapKeys)) {
          for (const k of mapKeys) {
            const ks = isMap(items.properties) ? items.properties[k] : undefined;
            if (ks === undefined) {
              this.push(
                'FieldValueRequired',
                child(p, 'items'),
                `entries of x-kubernetes-list-map-keys must be properties: ${k}`,
              );
            } else if (ks.type !== 'string' && ks.type !== 'integer' && ks.type !== 'boolean' && ks.type !== 'number') {
              this.push(
                'FieldValueInvalid',
                child(p, 'x-kubernetes-list-map-keys'),
                'must only contain scalar properties',
                k,
              );
            }
          }
        }
      } else if (lt === 'set') {
        const items = isObj(s.items) ? s.items : undefined;
        if (
          items !== undefined &&
          (items.type === 'object' || items.type === 'array') &&
          items['x-kubernetes-map-type'] !== 'atomic' &&
          items['x-kubernetes-list-type'] !== 'atomic'
        ) {
          this.push(
            'FieldValueInvalid',
            child(child(p, 'items'), 'x-kubernetes-map-type'),
            'must be atomic as item of a list with x-kubernetes-list-type=set',
            items['x-kubernetes-map-type'] ?? '',
          );
        }
      }
    }
    if (mapKeys !== undefined && lt !== 'map') {
      this.push(
        'FieldValueForbidden',
        child(p, 'x-kubernetes-list-map-keys'),
        'must not be set if x-kubernetes-list-type is not map',
      );
    }
    const mt = s['x-kubernetes-map-type'];
    if (mt !== undefined && mt !== 'atomic' && mt !== 'granular') {
      this.push(
        'FieldValueNotSupported',
        child(p, 'x-kubernetes-map-type'),
        'supported values: "granular", "atomic"',
        mt,
      );
    }
    const rules = s['x-kubernetes-validations'];
    if (Array.isArray(rules)) {
      this.#cel ??= newCelEnv();
      const env = this.#cel;
      rules.forEach((r, i) => {
        const c = compileRule(env, r);
        if (!c.ok)
          this.push(
            'FieldValueInvalid',
            child(`${child(p, 'x-kubernetes-validations')}[${i}]`, 'rule'),
            `compilation failed: ${c.error}`,
            r?.rule ?? '',
          );
      });
    }
    if (s.default !== undefined && s.default !== null) {
      // defaults must validate against their own schema (the apiserver also requires them to be pruned)
      const sub = new StructuralSchema(s);
      for (const e of sub.validate(s.default, { rootPath: child(p, 'default'), skipCEL: true })) this.errs.push(e);
      const pr = sub.prune(s.default);
      for (const path of pr.pruned)
        this.push('FieldValueInvalid', child(p, 'default'), `must not have unknown fields: ${path}`, s.default);
    }
  }
}

/** Checks that a CRD schema is structural (and otherwise acceptable to the apiserver); errors are sorted like Go's. */
export function checkStructural(schema: JSONSchemaProps, opts: CheckStructuralOptions = {}): FieldError[] {
  const c = new Checker();
  try {
    c.structural(schema, 'root', opts.rootPath ?? 'openAPIV3Schema');
  } catch (err) {
    c.push(
      'FieldValueInvalid',
      opts.rootPath ?? 'openAPIV3Schema',
      `internal error: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const withMsg = c.errs.map((e) => ({ e, m: formatFieldError(e) }));
  withMsg.sort((a, b) => (a.m < b.m ? -1 : a.m > b.m ? 1 : 0));
  return withMsg.map((x) => x.e);
}
