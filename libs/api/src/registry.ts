/**
 * The registry of the 15 Flux kinds (source-watcher's ArtifactGenerator included): lookup by apiVersion/kind, structural validation of whole objects with
 * Kubernetes field paths, and normalization of any served version to the current API.
 */
import { StructuralSchema, type FieldError, type JSONSchemaProps } from '@flux-ts/schema';
import { objectSchema, type KindDefinition, type NormalizeResult } from './define.ts';
import { ArtifactGeneratorDefinition, normalizeArtifactGenerator } from './extensions/index.ts';
import { HelmReleaseDefinition, normalizeHelmRelease } from './helm/index.ts';
import {
  ImagePolicyDefinition,
  ImageRepositoryDefinition,
  ImageUpdateAutomationDefinition,
  normalizeImagePolicy,
  normalizeImageRepository,
  normalizeImageUpdateAutomation,
} from './image/index.ts';
import { KustomizationDefinition, normalizeKustomization } from './kustomize/index.ts';
import {
  AlertDefinition,
  ProviderDefinition,
  ReceiverDefinition,
  normalizeAlert,
  normalizeProvider,
  normalizeReceiver,
} from './notification/index.ts';
import {
  BucketDefinition,
  ExternalArtifactDefinition,
  GitRepositoryDefinition,
  HelmChartDefinition,
  HelmRepositoryDefinition,
  OCIRepositoryDefinition,
  normalizeBucket,
  normalizeExternalArtifact,
  normalizeGitRepository,
  normalizeHelmChart,
  normalizeHelmRepository,
  normalizeOCIRepository,
} from './source/index.ts';

/** A kind's definition and its normalizer. */
export interface KindEntry {
  readonly definition: KindDefinition;
  readonly normalize: (obj: unknown) => NormalizeResult<unknown>;
}

/** Every Flux kind with its normalizer, in controller order. */
export const kindEntries: readonly KindEntry[] = [
  { definition: GitRepositoryDefinition, normalize: normalizeGitRepository },
  { definition: OCIRepositoryDefinition, normalize: normalizeOCIRepository },
  { definition: HelmRepositoryDefinition, normalize: normalizeHelmRepository },
  { definition: HelmChartDefinition, normalize: normalizeHelmChart },
  { definition: BucketDefinition, normalize: normalizeBucket },
  { definition: ExternalArtifactDefinition, normalize: normalizeExternalArtifact },
  { definition: KustomizationDefinition, normalize: normalizeKustomization },
  { definition: HelmReleaseDefinition, normalize: normalizeHelmRelease },
  { definition: ProviderDefinition, normalize: normalizeProvider },
  { definition: AlertDefinition, normalize: normalizeAlert },
  { definition: ReceiverDefinition, normalize: normalizeReceiver },
  { definition: ImageRepositoryDefinition, normalize: normalizeImageRepository },
  { definition: ImagePolicyDefinition, normalize: normalizeImagePolicy },
  { definition: ImageUpdateAutomationDefinition, normalize: normalizeImageUpdateAutomation },
  { definition: ArtifactGeneratorDefinition, normalize: normalizeArtifactGenerator },
];

/** The definitions of all 13 Flux kinds. */
export const allKinds: readonly KindDefinition[] = kindEntries.map((e) => e.definition);

/** Splits `group/version` (or a core `version`) into its parts. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function findEntry(apiVersion: string, kind: string): KindEntry | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  return kindEntries.find(
    (e) =>
      e.definition.group === group &&
      e.definition.kind === kind &&
      e.definition.versions.some((v) => v.name === version),
  );
}

/** The definition of the kind served at `apiVersion` (any served version, legacy included), if any. */
export function findKind(apiVersion: string, kind: string): KindDefinition | undefined {
  return findEntry(apiVersion, kind)?.definition;
}

/** Whether `apiVersion`/`kind` names a Flux kind (any served version). */
export function isFluxKind(apiVersion: string, kind: string): boolean {
  return findEntry(apiVersion, kind) !== undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The `openAPIV3Schema` of a kind as a `@flux-ts/schema` JSONSchemaProps. */
export function kindSchema(def: KindDefinition): JSONSchemaProps {
  return objectSchema(def) as JSONSchemaProps;
}

/**
 * Validates objects of the Flux kinds like the kube-apiserver does on create: the kind must be served,
 * `metadata.name` (or `generateName`) must be set, CRD defaults are applied, then the structural schema
 * (types, required, enums, patterns, formats, CEL rules) is checked. Schemas are compiled once per instance.
 */
export class KindValidator {
  readonly #schemas = new Map<KindDefinition, StructuralSchema>();

  /** Returns the field errors of an object; an empty list when it is valid. */
  validate(obj: unknown): FieldError[] {
    if (!isRecord(obj)) {
      return [{ type: 'FieldValueTypeInvalid', field: '<root>', badValue: obj, detail: 'must be an object' }];
    }
    const apiVersion = obj['apiVersion'];
    const kind = obj['kind'];
    const errors: FieldError[] = [];
    if (typeof apiVersion !== 'string' || apiVersion === '') {
      errors.push({ type: 'FieldValueRequired', field: 'apiVersion', detail: 'apiVersion must be set' });
    }
    if (typeof kind !== 'string' || kind === '') {
      errors.push({ type: 'FieldValueRequired', field: 'kind', detail: 'kind must be set' });
    }
    if (errors.length > 0 || typeof apiVersion !== 'string' || typeof kind !== 'string') return errors;

    const entry = findEntry(apiVersion, kind);
    if (entry === undefined) {
      const { group, version } = parseApiVersion(apiVersion);
      const sameKind = kindEntries.find((e) => e.definition.group === group && e.definition.kind === kind);
      if (sameKind !== undefined) {
        return [
          {
            type: 'FieldValueNotSupported',
            field: 'apiVersion',
            badValue: apiVersion,
            detail: `no matches for kind "${kind}" in version "${apiVersion}"; served versions: ${sameKind.definition.versions
              .map((v) => `${group}/${v.name}`)
              .join(', ')}`,
          },
        ];
      }
      return [
        {
          type: 'FieldValueNotSupported',
          field: 'kind',
          badValue: kind,
          detail: `no matches for kind "${kind}" in version "${group === '' ? version : apiVersion}"`,
        },
      ];
    }

    const metadata = obj['metadata'];
    const name = isRecord(metadata) ? metadata['name'] : undefined;
    const generateName = isRecord(metadata) ? metadata['generateName'] : undefined;
    if ((typeof name !== 'string' || name === '') && (typeof generateName !== 'string' || generateName === '')) {
      errors.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
    }
    const schema = this.#schema(entry.definition);
    errors.push(...schema.validate(schema.applyDefaults(obj)));
    return errors;
  }

  #schema(def: KindDefinition): StructuralSchema {
    let schema = this.#schemas.get(def);
    if (schema === undefined) {
      schema = new StructuralSchema(kindSchema(def));
      this.#schemas.set(def, schema);
    }
    return schema;
  }
}

/**
 * Validates one object of a Flux kind (see {@link KindValidator}); unknown kinds and versions give an error
 * on `kind` or `apiVersion`. Compiles the kind's schema on each call: use a KindValidator for many objects.
 */
export function validate(obj: unknown): FieldError[] {
  return new KindValidator().validate(obj);
}

/**
 * Maps an object of any served version of a Flux kind to the current API version, moving or dropping the
 * legacy fields with one warning each. Throws for objects that are not of a Flux kind.
 */
export function normalize(obj: unknown): NormalizeResult<unknown> {
  if (!isRecord(obj) || typeof obj['apiVersion'] !== 'string' || typeof obj['kind'] !== 'string') {
    throw new Error('failed to normalize object: apiVersion and kind must be set');
  }
  const entry = findEntry(obj['apiVersion'], obj['kind']);
  if (entry === undefined) {
    throw new Error(
      `failed to normalize object: no matches for kind "${obj['kind']}" in version "${obj['apiVersion']}"`,
    );
  }
  return entry.normalize(obj);
}
