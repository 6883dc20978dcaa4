/**
 * The registry of the 15 Flux kinds (source-watcher's ArtifactGenerator included): lookup by apiVersion/kind and
 * normalization of any served version to the current API. The structural validation of whole objects is in
 * `validate.ts` (`@flux-ts/api/validate`), which loads @flux-ts/schema and its CEL engine.
 */
import type { JSONSchemaProps } from '@flux-ts/schema';
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

/** The registry entry of the kind served at `apiVersion` (any served version, legacy included), if any. */
export function findEntry(apiVersion: string, kind: string): KindEntry | undefined {
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
