import {
  AlertDefinition,
  BucketDefinition,
  ExternalArtifactDefinition,
  GitRepositoryDefinition,
  HelmChartDefinition,
  HelmReleaseDefinition,
  HelmRepositoryDefinition,
  ImagePolicyDefinition,
  ImageRepositoryDefinition,
  ImageUpdateAutomationDefinition,
  KustomizationDefinition,
  OCIRepositoryDefinition,
  ProviderDefinition,
  ReceiverDefinition,
  type KindDefinition,
} from '@flux-ts/api';

/** The command group a kind's subcommand lives under in flux's tree (`flux get sources git`, `flux reconcile image repository`). */
export type FluxKindParent = 'source' | 'image';

/** One Flux object kind as the flux CLI addresses it: API coordinates and the command words it accepts. */
export interface FluxKind {
  /** The Kubernetes kind, e.g. `GitRepository`. */
  readonly kind: string;
  /** The API group, e.g. `source.toolkit.fluxcd.io`. */
  readonly group: string;
  /** The version flux's CLI reads and writes (the storage version), e.g. `v1`. */
  readonly version: string;
  /** `group/version`. */
  readonly apiVersion: string;
  /** The resource (plural), e.g. `gitrepositories`. */
  readonly plural: string;
  /** The parent command, for kinds addressed as `source <name>` or `image <name>`. */
  readonly parent?: FluxKindParent;
  /** The subcommand of reconcile/suspend/resume/delete/export/create (`git`, `kustomization`, `alert-provider`). */
  readonly name: string;
  /** Aliases of `name` (flux's `Aliases`), e.g. `ks`, `hr`. */
  readonly aliases: readonly string[];
  /** The subcommand of `get` (`git`, `kustomizations`, `alert-providers`). */
  readonly getName: string;
  /** Aliases of `getName`. */
  readonly getAliases: readonly string[];
  /** flux's `apiType.humanKind`, as its messages name the kind (`source git`, `alert provider`, `image update automation`). */
  readonly humanKind: string;
  /** The kind's definition in @flux-ts/api (printer columns, short names, scope). */
  readonly definition: KindDefinition;
}

function entry(
  def: KindDefinition,
  words: Pick<FluxKind, 'name' | 'aliases' | 'getName' | 'getAliases'> & {
    parent?: FluxKindParent;
    humanKind?: string;
  },
): FluxKind {
  const storage = def.versions.find((v) => v.storage) ?? def.versions[0];
  if (storage === undefined) throw new Error(`kind ${def.kind} declares no version`);
  return {
    kind: def.kind,
    group: def.group,
    version: storage.name,
    apiVersion: `${def.group}/${storage.name}`,
    plural: def.plural,
    definition: def,
    humanKind: words.humanKind ?? (words.parent !== undefined ? `${words.parent} ${words.name}` : words.name),
    ...words,
  };
}

/** flux's object kinds in the order `flux get all` prints them (sources, then kustomizations, helmreleases, notifications, images). */
export const fluxKinds: readonly FluxKind[] = [
  entry(GitRepositoryDefinition, { parent: 'source', name: 'git', aliases: [], getName: 'git', getAliases: [] }),
  entry(OCIRepositoryDefinition, { parent: 'source', name: 'oci', aliases: [], getName: 'oci', getAliases: [] }),
  entry(HelmRepositoryDefinition, { parent: 'source', name: 'helm', aliases: [], getName: 'helm', getAliases: [] }),
  entry(BucketDefinition, { parent: 'source', name: 'bucket', aliases: [], getName: 'bucket', getAliases: [] }),
  entry(HelmChartDefinition, { parent: 'source', name: 'chart', aliases: [], getName: 'chart', getAliases: [] }),
  entry(ExternalArtifactDefinition, {
    parent: 'source',
    name: 'external',
    aliases: [],
    getName: 'external',
    getAliases: [],
  }),
  entry(KustomizationDefinition, {
    name: 'kustomization',
    aliases: ['ks'],
    getName: 'kustomizations',
    getAliases: ['ks', 'kustomization'],
  }),
  entry(HelmReleaseDefinition, {
    name: 'helmrelease',
    aliases: ['hr'],
    getName: 'helmreleases',
    getAliases: ['hr', 'helmrelease'],
  }),
  entry(AlertDefinition, { name: 'alert', aliases: [], getName: 'alerts', getAliases: ['alert'] }),
  entry(ProviderDefinition, {
    name: 'alert-provider',
    humanKind: 'alert provider',
    aliases: [],
    getName: 'alert-providers',
    getAliases: ['alert-provider'],
  }),
  entry(ReceiverDefinition, { name: 'receiver', aliases: [], getName: 'receivers', getAliases: ['receiver'] }),
  entry(ImageRepositoryDefinition, {
    parent: 'image',
    name: 'repository',
    aliases: [],
    getName: 'repository',
    getAliases: [],
  }),
  entry(ImagePolicyDefinition, { parent: 'image', name: 'policy', aliases: [], getName: 'policy', getAliases: [] }),
  entry(ImageUpdateAutomationDefinition, {
    parent: 'image',
    name: 'update',
    humanKind: 'image update automation',
    aliases: [],
    getName: 'update',
    getAliases: [],
  }),
];

/** The kind with this Kubernetes kind name (`GitRepository`), case-insensitive as flux's `trace --kind`. */
export function fluxKindByKind(kind: string): FluxKind | undefined {
  const k = kind.toLowerCase();
  return fluxKinds.find((f) => f.kind.toLowerCase() === k);
}

/** The kind a command word names, under an optional parent (`ks`, `source git`, `image policy`). */
export function fluxKindByName(name: string, parent?: FluxKindParent): FluxKind | undefined {
  return fluxKinds.find(
    (f) =>
      f.parent === parent &&
      (f.name === name || f.aliases.includes(name) || f.getName === name || f.getAliases.includes(name)),
  );
}

/** The kinds under a parent command (`source` → git, oci, helm, bucket, chart, external). */
export function fluxKindsUnder(parent: FluxKindParent): readonly FluxKind[] {
  return fluxKinds.filter((f) => f.parent === parent);
}

/** The command words of a kind as flux prints them in usage (`source git`, `kustomization`). */
export function fluxKindWords(k: FluxKind): string {
  return k.parent !== undefined ? `${k.parent} ${k.name}` : k.name;
}
