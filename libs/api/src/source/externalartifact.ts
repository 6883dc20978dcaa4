/**
 * ExternalArtifact (`source.toolkit.fluxcd.io/v1`): an artifact produced outside source-controller (by source-watcher's
 * ArtifactGenerator or a third-party controller) that Kustomizations and HelmReleases consume like a source's.
 * Follows upstream source-controller (`api/v1/externalartifact_types.go`, RFC-0012).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { KindDefinition, NormalizeResult } from '../define.ts';
import { Artifact, Condition, NamespacedObjectKindReference, type FluxObject } from '../meta/index.ts';
import { ageColumn, beginNormalize, readyColumn, SourceCategories, SourceGroup, statusColumn } from './common.ts';

/** The ExternalArtifact kind name. */
export const ExternalArtifactKind = 'ExternalArtifact';

/** `ExternalArtifact.spec`. */
export const ExternalArtifactSpec = Type.Object(
  {
    sourceRef: Type.Optional(
      Type.Object(NamespacedObjectKindReference.properties, {
        description: 'SourceRef points to the Kubernetes custom resource for which the artifact is generated.',
      }),
    ),
  },
  { description: 'ExternalArtifactSpec defines the desired state of ExternalArtifact' },
);
/** `ExternalArtifact.spec`. */
export type ExternalArtifactSpec = Static<typeof ExternalArtifactSpec>;

/** `ExternalArtifact.status`. */
export const ExternalArtifactStatus = Type.Object(
  {
    artifact: Type.Optional(
      Type.Object(Artifact.properties, {
        description: 'Artifact represents the output of an ExternalArtifact reconciliation.',
      }),
    ),
    conditions: Type.Optional(
      Type.Array(Condition, { description: 'Conditions holds the conditions for the ExternalArtifact.' }),
    ),
  },
  { description: 'ExternalArtifactStatus defines the observed state of ExternalArtifact' },
);
/** `ExternalArtifact.status`. */
export type ExternalArtifactStatus = Static<typeof ExternalArtifactStatus>;

/** An ExternalArtifact object. */
export type ExternalArtifact = FluxObject<ExternalArtifactSpec, ExternalArtifactStatus>;

/** The ExternalArtifact kind (its CRD ships with source-controller, as upstream's). */
export const ExternalArtifactDefinition: KindDefinition<typeof ExternalArtifactSpec, typeof ExternalArtifactStatus> = {
  group: SourceGroup,
  kind: ExternalArtifactKind,
  component: 'source-controller',
  listKind: 'ExternalArtifactList',
  plural: 'externalartifacts',
  singular: 'externalartifact',
  scope: 'Namespaced',
  shortNames: ['ea'],
  categories: SourceCategories,
  description: 'ExternalArtifact is the Schema for the external artifacts API',
  versions: [{ name: 'v1', storage: true }],
  spec: ExternalArtifactSpec,
  status: ExternalArtifactStatus,
  specRequired: false,
  printerColumns: [
    ageColumn,
    readyColumn,
    statusColumn,
    { name: 'Source', type: 'string', jsonPath: '.spec.sourceRef.name' },
  ],
  legacyFields: [],
};

/** An ExternalArtifact needs no mapping: v1 is its only version. */
export function normalizeExternalArtifact(obj: unknown): NormalizeResult<ExternalArtifact> {
  const warnings: string[] = [];
  const { out } = beginNormalize(ExternalArtifactKind, obj, warnings);
  return { object: out as unknown as ExternalArtifact, warnings };
}
