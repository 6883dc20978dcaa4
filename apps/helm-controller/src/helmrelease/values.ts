/**
 * The values of a HelmRelease (fluxcd/pkg `chartutil.ChartValuesFromReferences`): `spec.valuesFrom` in order — the
 * whole YAML document under `valuesKey` merged over what came before, or with `targetPath` one value set with Helm's
 * `--set` (`literal`: `--set-literal`) semantics —, then the inline `spec.values` merged over all of them. A
 * ConfigMap or Secret is read once per reconcile even when several references name it; a missing object or key is
 * skipped when the reference is `optional`. The config digest is sha256 over the values as sorted-key JSON.
 */
import { createHash } from 'node:crypto';
import { mergeMaps, parseInto, parseLiteralInto, readValues } from '@flux-ts/helm';
import type { Values } from '@flux-ts/helm';
import type { HelmReleaseSpec } from '@flux-ts/api';
import { HelmReleaseDefaults } from '@flux-ts/api';
import { errMessage, isNotFound } from '@flux-ts/runtime';
import type { KubeObject, ObjectReader } from '@flux-ts/runtime';

type ValuesReference = NonNullable<HelmReleaseSpec['valuesFrom']>[number];
type DataObject = KubeObject & { data?: Record<string, string> };

/** fluxcd/pkg chartutil's reasons of an {@link ValuesReferenceError}. */
export const ValuesReferenceReasons = {
  ResourceNotFound: 'resource not found',
  KeyNotFound: 'key not found',
  Invalid: 'values reference invalid',
  UnsupportedKind: 'unsupported values reference kind',
  DataRead: 'failed to read values data',
  Merge: 'failed to merge value',
} as const;

/** chartutil.ErrValuesReference: `could not resolve <Kind> chart values reference '<ns>/<name>' with key '<k>': …`. */
export class ValuesReferenceError extends Error {
  override readonly name = 'ValuesReferenceError';
  constructor(namespace: string, ref: ValuesReference, reason: string, cause?: unknown) {
    super(
      `could not resolve ${ref.kind} chart values reference '${namespace}/${ref.name}' with key '${
        ref.valuesKey || HelmReleaseDefaults.valuesKey
      }': ${reason}${cause === undefined ? '' : `: ${errMessage(cause)}`}`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** What a logger needs to say an optional reference was skipped. */
export interface ValuesLog {
  info(obj: Record<string, unknown>, msg: string): void;
}

/** Composes the values of a HelmRelease in `namespace`; see the module comment. Throws {@link ValuesReferenceError}. */
export async function composeValues(
  reader: ObjectReader,
  namespace: string,
  spec: Pick<HelmReleaseSpec, 'values' | 'valuesFrom'>,
  opts: { signal?: AbortSignal; log?: ValuesLog } = {},
): Promise<Values> {
  let result: Values = {};
  const objects = new Map<string, DataObject | undefined>();
  for (const ref of spec.valuesFrom ?? []) {
    if (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret')
      throw new ValuesReferenceError(namespace, ref, ValuesReferenceReasons.UnsupportedKind);
    const id = `${ref.kind}/${ref.name}`;
    let obj = objects.get(id);
    if (!objects.has(id)) {
      objects.set(id, undefined);
      try {
        obj = await reader.get<DataObject>(
          { apiVersion: 'v1', kind: ref.kind },
          { namespace, name: ref.name },
          opts.signal ? { signal: opts.signal } : {},
        );
        objects.set(id, obj);
      } catch (err) {
        if (!isNotFound(err)) throw new ValuesReferenceError(namespace, ref, ValuesReferenceReasons.Invalid, err);
        const e = new ValuesReferenceError(namespace, ref, ValuesReferenceReasons.ResourceNotFound, err);
        if (!ref.optional) throw e;
        opts.log?.info({ reference: id }, e.message);
        continue;
      }
    }
    if (obj === undefined) {
      if (ref.optional) continue;
      throw new ValuesReferenceError(namespace, ref, ValuesReferenceReasons.ResourceNotFound);
    }
    const k = ref.valuesKey || HelmReleaseDefaults.valuesKey;
    const raw = obj.data?.[k];
    if (raw === undefined) {
      const e = new ValuesReferenceError(namespace, ref, ValuesReferenceReasons.KeyNotFound);
      if (!ref.optional) throw e;
      opts.log?.info({ reference: id }, e.message);
      continue;
    }
    const text = ref.kind === 'Secret' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (ref.targetPath) {
      try {
        if (ref.literal === true) parseLiteralInto(`${ref.targetPath}=${text}`, result);
        // chartutil.ReplacePathValue: commas of the value are escaped so it stays one value
        else parseInto(`${ref.targetPath}=${text.replaceAll(',', '\\,')}`, result);
      } catch (err) {
        throw new ValuesReferenceError(namespace, ref, ValuesReferenceReasons.Merge, err);
      }
      continue;
    }
    let values: Values;
    try {
      values = readValues(text, 'float64');
    } catch (err) {
      throw new ValuesReferenceError(namespace, ref, ValuesReferenceReasons.DataRead, err);
    }
    result = mergeMaps(result, values);
  }
  return mergeMaps(result, (spec.values ?? {}) as Values);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, canonical(o[k])]),
    );
  }
  return v;
}

/** The config digest of values (`sha256:<hex>` of the sorted-key JSON; Flux digests sorted-key YAML). */
export function digestValues(values: Values): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(canonical(values)))
    .digest('hex')}`;
}
