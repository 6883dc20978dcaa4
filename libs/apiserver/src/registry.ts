/** The served resources: the built-in table plus every established CRD. */
import { builtinResources, type PrinterColumn, type ResourceDef, type ScaleSpec } from './resources.ts';
import { getPath, isObj, type Obj } from './util.ts';

/** Sort key of a Kubernetes version string (v1 > v1beta2 > v1beta1 > v1alpha1 > other), highest first. */
export const compareKubeVersions = (a: string, b: string): number => {
  const parse = (v: string): [number, number, number, string] => {
    const m = v.match(/^v(\d+)(?:(alpha|beta)(\d+))?$/);
    if (!m) return [0, 0, 0, v];
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0), v];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa[0] !== pb[0]) return pb[0] - pa[0];
  if (pa[1] !== pb[1]) return pb[1] - pa[1];
  if (pa[2] !== pb[2]) return pb[2] - pa[2];
  return pa[3] < pb[3] ? -1 : pa[3] > pb[3] ? 1 : 0;
};

/** A CRD version's schema and details the server needs at request time. */
export interface CrdVersionInfo {
  schema: Obj | undefined;
  crd: Obj;
}

/** Storage bucket name of a resource (shared by all its versions). */
export const bucketOf = (def: { group: string; resource: string }): string => `${def.group}/${def.resource}`;

/** Registry of served resources; CRDs are added and removed as they change. */
export class Registry {
  private readonly byGvr = new Map<string, ResourceDef>();
  private readonly byGvk = new Map<string, ResourceDef>();
  private readonly groupOrder: string[] = [];
  private readonly crdVersions = new Map<string, CrdVersionInfo>();
  private readonly crdDefs = new Map<string, ResourceDef[]>();
  /** Bumped on every change (discovery/openapi caches key on it). */
  generation = 0;

  constructor() {
    for (const d of builtinResources()) this.add(d);
  }

  private add(d: ResourceDef): void {
    this.byGvr.set(`${d.group}/${d.version}/${d.resource}`, d);
    this.byGvk.set(`${d.group}/${d.version}/${d.kind}`, d);
    if (!this.groupOrder.includes(d.group)) this.groupOrder.push(d.group);
    this.generation++;
  }

  /** Look a resource up by group, version and plural resource name. */
  get(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.byGvr.get(`${group}/${version}/${resource}`);
  }

  /** Look a resource up by group, version and kind. */
  byKind(group: string, version: string, kind: string): ResourceDef | undefined {
    return this.byGvk.get(`${group}/${version}/${kind}`);
  }

  /** All resource defs. */
  all(): ResourceDef[] {
    return [...this.byGvr.values()];
  }

  /** Served groups in discovery order, each with versions (preferred first). */
  groups(): { group: string; versions: string[] }[] {
    const out: { group: string; versions: string[] }[] = [];
    for (const g of this.groupOrder) {
      const versions = new Set<string>();
      for (const d of this.byGvr.values()) if (d.group === g) versions.add(d.version);
      if (versions.size > 0) out.push({ group: g, versions: [...versions].sort(compareKubeVersions) });
    }
    return out;
  }

  /** Resources of one group/version. */
  resourcesIn(group: string, version: string): ResourceDef[] {
    return [...this.byGvr.values()].filter((d) => d.group === group && d.version === version);
  }

  /** Schema info of a CRD-served kind at one version. */
  crdVersion(group: string, version: string, resource: string): CrdVersionInfo | undefined {
    return this.crdVersions.get(`${group}/${version}/${resource}`);
  }

  /** Install (or replace) the resources a CRD serves. */
  installCrd(crd: Obj): ResourceDef[] {
    const name = String(getPath(crd, 'metadata.name'));
    this.removeCrd(name);
    const group = String(getPath(crd, 'spec.group'));
    const names = (getPath(crd, 'spec.names') ?? {}) as Obj;
    const kind = String(names['kind']);
    const plural = String(names['plural']);
    const versions = (
      Array.isArray(getPath(crd, 'spec.versions')) ? (getPath(crd, 'spec.versions') as Obj[]) : []
    ).filter((v) => v['served'] !== false);
    const servedNames = versions.map((v) => String(v['name'])).sort(compareKubeVersions);
    const defs: ResourceDef[] = [];
    for (const v of versions) {
      const version = String(v['name']);
      const sub = isObj(v['subresources']) ? v['subresources'] : {};
      const scale = isObj(sub['scale']) ? sub['scale'] : undefined;
      const apc = Array.isArray(v['additionalPrinterColumns'])
        ? (v['additionalPrinterColumns'] as Obj[])
        : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
      const columns: PrinterColumn[] = apc.map((c) => ({
        name: String(c['name']),
        type: String(c['type'] ?? 'string') as PrinterColumn['type'],
        ...(c['format'] ? { format: String(c['format']) } : {}),
        ...(c['description'] ? { description: String(c['description']) } : {}),
        priority: typeof c['priority'] === 'number' ? c['priority'] : 0,
        jsonPath: String(c['jsonPath'] ?? ''),
      }));
      const def: ResourceDef = {
        group,
        version,
        versions: servedNames,
        kind,
        listKind: String(names['listKind'] ?? `${kind}List`),
        resource: plural,
        singular: String(names['singular'] ?? kind.toLowerCase()),
        namespaced: getPath(crd, 'spec.scope') !== 'Cluster',
        shortNames: Array.isArray(names['shortNames']) ? names['shortNames'].map(String) : [],
        categories: Array.isArray(names['categories']) ? names['categories'].map(String) : [],
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        status: isObj(sub['status']),
        ...(scale
          ? {
              scale: {
                specReplicasPath: String(scale['specReplicasPath']),
                statusReplicasPath: String(scale['statusReplicasPath']),
                ...(scale['labelSelectorPath'] ? { labelSelectorPath: String(scale['labelSelectorPath']) } : {}),
              } satisfies ScaleSpec,
            }
          : {}),
        columns,
        crd: name,
        strategicMerge: false,
      };
      this.add(def);
      defs.push(def);
      const schema = getPath(v, 'schema.openAPIV3Schema');
      this.crdVersions.set(`${group}/${version}/${plural}`, { schema: isObj(schema) ? schema : undefined, crd });
    }
    this.crdDefs.set(name, defs);
    return defs;
  }

  /** Names of the installed CRDs. */
  crdNames(): string[] {
    return [...this.crdDefs.keys()];
  }

  /** Stop serving a CRD's resources. */
  removeCrd(name: string): void {
    const defs = this.crdDefs.get(name);
    if (!defs) return;
    for (const d of defs) {
      this.byGvr.delete(`${d.group}/${d.version}/${d.resource}`);
      this.byGvk.delete(`${d.group}/${d.version}/${d.kind}`);
      this.crdVersions.delete(`${d.group}/${d.version}/${d.resource}`);
    }
    this.crdDefs.delete(name);
    this.generation++;
  }

  /** Is this group only served by CRDs (and has none left)? Cleans the group order. */
  pruneGroups(): void {
    for (let i = this.groupOrder.length - 1; i >= 0; i--) {
      const g = this.groupOrder[i] as string;
      if (![...this.byGvr.values()].some((d) => d.group === g)) this.groupOrder.splice(i, 1);
    }
  }
}
