import { gunzipSync } from 'node:zlib';
import { Option, type Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { GO_YAML_V2, emitDocument, sortKeys, type YamlNode } from '@flux-ts/goyaml';
import { HelmGroup, KustomizeGroup } from '@flux-ts/api';
import { isNotFound, type KubeClient, type KubeObject } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { fluxKindByKind } from '../shared/kinds.ts';
import { gvkOf, stringAt, timeoutSignal, type FluxObject } from '../shared/objects.ts';

/** cli-utils' `ObjMetadata` (its JSON has Go's field names: no tags). */
export interface ObjMetadata {
  Namespace: string;
  Name: string;
  GroupKind: { Group: string; Kind: string };
}

/** flux's `internal/tree.ObjMetadataTree`. */
export interface ObjMetadataTree {
  resource: ObjMetadata;
  resources?: ObjMetadataTree[];
}

/** cli-utils' `ParseObjMetadata` of an inventory id `<namespace>_<name>_<group>_<kind>`. */
export function parseObjMetadata(id: string): ObjMetadata {
  const first = id.indexOf('_');
  const last = id.lastIndexOf('_');
  const rest = id.slice(first + 1, last);
  const groupSep = rest.lastIndexOf('_');
  if (first < 0 || last <= first || groupSep < 0) throw new Error(`unable to parse stored object metadata: ${id}`);
  return {
    Namespace: id.slice(0, first),
    Name: rest.slice(0, groupSep).replaceAll('__', ':'),
    GroupKind: { Group: rest.slice(groupSep + 1), Kind: id.slice(last + 1) },
  };
}

/** fluxcd/pkg ssa's `FmtObjMetadata`: `Kind/namespace/name` (`Kind/name` when cluster-scoped). */
export function fmtObjMetadata(o: ObjMetadata): string {
  return `${o.GroupKind.Kind}/${o.Namespace !== '' ? `${o.Namespace}/` : ''}${o.Name}`;
}

/** flux's `tree.Print()`: the root, then each level with `├── `/`└── ` under `│   `/`    ` prefixes. */
export function printTree(t: ObjMetadataTree): string {
  let out = `${fmtObjMetadata(t.resource)}\n`;
  const walk = (nodes: readonly ObjMetadataTree[], prefix: string): void => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      out += `${prefix}${last ? '└── ' : '├── '}${fmtObjMetadata(n.resource)}\n`;
      walk(n.resources ?? [], `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(t.resources ?? [], '');
  return out;
}

const add = (t: ObjMetadataTree, o: ObjMetadata): ObjMetadataTree => {
  const child: ObjMetadataTree = { resource: o };
  (t.resources ??= []).push(child);
  return child;
};

// Helm's storage driver encoding (base64 of gzipped JSON); decoded here rather than through @flux-ts/helm, which the CLI does not depend on.
function decodeHelmRelease(b64: string): { manifest?: string } {
  let b = Buffer.from(b64, 'base64');
  if (b.length > 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08) b = gunzipSync(b);
  return JSON.parse(b.toString('utf8')) as { manifest?: string };
}

/** flux's `getHelmReleaseInventory`: the objects of the HelmRelease's latest release, from Helm's storage Secret. */
async function helmReleaseInventory(
  client: KubeClient,
  ns: string,
  name: string,
  signal: AbortSignal,
): Promise<ObjMetadata[]> {
  const hrKind = fluxKindByKind('HelmRelease');
  if (hrKind === undefined) return [];
  const hr = await client.get<FluxObject>(gvkOf(hrKind), { namespace: ns, name }, { signal });
  if (hr.spec?.['kubeConfig'] !== undefined) return [];
  const storageNamespace = stringAt(hr, 'status.storageNamespace');
  const history = hr.status?.['history'];
  const latest = Array.isArray(history) ? (history[0] as Record<string, unknown> | undefined) : undefined;
  if (storageNamespace === '' || latest === undefined) return [];
  const key = `${hr.metadata.namespace ?? ''}/${name}`;
  let secret: KubeObject & { data?: Record<string, string> };
  try {
    secret = await client.get(
      { apiVersion: 'v1', kind: 'Secret' },
      {
        namespace: storageNamespace,
        name: `sh.helm.release.v1.${stringAt(latest, 'name')}.v${stringAt(latest, 'version')}`,
      },
      { signal },
    );
  } catch (err) {
    if (isNotFound(err)) return [];
    throw new Error(`failed to find the Helm storage object for HelmRelease '${key}': ${(err as Error).message}`, {
      cause: err,
    });
  }
  const data = secret.data?.['release'];
  if (data === undefined) throw new Error(`failed to decode the Helm storage object for HelmRelease '${key}'`);
  let manifest: string;
  try {
    manifest = decodeHelmRelease(Buffer.from(data, 'base64').toString('utf8')).manifest ?? '';
  } catch (err) {
    throw new Error(`failed to decode the Helm storage object for HelmRelease '${key}': ${(err as Error).message}`, {
      cause: err,
    });
  }
  const out: ObjMetadata[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    const obj = doc.toJS() as Partial<KubeObject> | null;
    if (obj === null || typeof obj !== 'object' || obj.kind === undefined || obj.apiVersion === undefined) continue;
    let namespace = obj.metadata?.namespace ?? '';
    if (namespace === '') {
      const namespaced = await client
        .resourceFor({ apiVersion: obj.apiVersion, kind: obj.kind }, { signal })
        .then((m) => m.namespaced)
        .catch(() => false);
      if (namespaced) namespace = stringAt(latest, 'namespace');
    }
    const slash = obj.apiVersion.indexOf('/');
    out.push({
      Namespace: namespace,
      Name: obj.metadata?.name ?? '',
      GroupKind: { Group: slash < 0 ? '' : obj.apiVersion.slice(0, slash), Kind: obj.kind },
    });
  }
  // The CRDs the release installs or upgrades (crds policy other than Skip) carry the HelmRelease's labels.
  const crdsPolicy = (path: string): string => stringAt(hr, path);
  const managesCrds = [crdsPolicy('spec.install.crds'), crdsPolicy('spec.upgrade.crds')].some(
    (p) => p !== '' && p !== 'Skip',
  );
  if (managesCrds) {
    const crds = await client
      .listAll(
        { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' },
        { labelSelector: `${HelmGroup}/name=${name},${HelmGroup}/namespace=${ns}`, signal },
      )
      .then((l) => l.items)
      .catch(() => []);
    for (const crd of crds) {
      if (out.some((o) => o.Name === crd.metadata.name && o.GroupKind.Kind === 'CustomResourceDefinition')) continue;
      out.push({
        Namespace: '',
        Name: crd.metadata.name,
        GroupKind: { Group: 'apiextensions.k8s.io', Kind: 'CustomResourceDefinition' },
      });
    }
  }
  return out;
}

const compactGroup = 'toolkit.fluxcd.io';

/** flux's `treeKustomization`: the inventory, nested Kustomizations and HelmReleases' objects. */
export async function treeKustomization(
  client: KubeClient,
  tree: ObjMetadataTree,
  item: FluxObject,
  compact: boolean,
  signal: AbortSignal,
): Promise<void> {
  const entries = (item.status?.['inventory'] as { entries?: { id: string }[] } | undefined)?.entries ?? [];
  const ksKind = fluxKindByKind('Kustomization');
  for (const entry of entries) {
    const o = parseObjMetadata(entry.id);
    if (compact && !o.GroupKind.Group.includes(compactGroup)) continue;
    const isKs = o.GroupKind.Group === KustomizeGroup && o.GroupKind.Kind === 'Kustomization';
    if (isKs && o.Namespace === item.metadata.namespace && o.Name === item.metadata.name) continue;
    const node = add(tree, o);
    if (o.GroupKind.Group === HelmGroup && o.GroupKind.Kind === 'HelmRelease') {
      for (const obj of await helmReleaseInventory(client, o.Namespace, o.Name, signal)) {
        if (compact && !obj.GroupKind.Group.includes(compactGroup)) continue;
        add(node, obj);
      }
    }
    if (isKs && item.spec?.['kubeConfig'] === undefined && ksKind !== undefined) {
      let k: FluxObject;
      try {
        k = await client.get<FluxObject>(gvkOf(ksKind), { namespace: o.Namespace, name: o.Name }, { signal });
      } catch (err) {
        throw new Error(`failed to find object: ${(err as Error).message}`, { cause: err });
      }
      await treeKustomization(client, node, k, compact, signal);
    }
  }
}

function toNode(v: unknown): YamlNode {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (Array.isArray(v)) return { kind: 'sequence', items: v.map(toNode) };
  const obj = v as Record<string, unknown>;
  return { kind: 'mapping', entries: sortKeys(Object.keys(obj)).map((k) => [k, toNode(obj[k])]) };
}

/** Registers `tree` and `tree kustomization`. */
export function registerTree(program: Command, ctx: CommandContext): void {
  const tree = program.command('tree').description('Print the resources reconciled by Flux');
  tree
    .command('kustomization')
    .aliases(['ks'])
    .description('Print the resource inventory of a Kustomization')
    .argument('[name]', 'the name of the Kustomization')
    .addOption(new Option('--compact', 'list Flux resources only.').default(false))
    .addOption(
      new Option('-o, --output <format>', "the format in which the tree should be printed. can be 'json' or 'yaml'"),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  # Print the resources managed by the root Kustomization\n  flux-ts tree kustomization flux-system\n\n  # Print the Flux resources managed by the root Kustomization\n  flux-ts tree kustomization flux-system --compact\n',
    )
    .action(async (name: string | undefined, o: { compact: boolean; output?: string }, c: Command) => {
      if (name === undefined || name === '') throw new Error('kustomization name is required');
      const globals = ctx.globals(c);
      const { client } = ctx.connect(c);
      const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
      const ksKind = fluxKindByKind('Kustomization');
      if (ksKind === undefined) throw new Error('Kustomization kind missing from the kind table');
      const k = await client.get<FluxObject>(gvkOf(ksKind), { namespace: globals.namespace, name }, { signal });
      const root: ObjMetadataTree = {
        resource: {
          Namespace: k.metadata.namespace ?? '',
          Name: k.metadata.name,
          GroupKind: { Group: KustomizeGroup, Kind: 'Kustomization' },
        },
      };
      await treeKustomization(client, root, k, o.compact, signal);
      if (o.output === 'json') ctx.io.stdout.write(`${JSON.stringify(root, null, 2)}\n`);
      else if (o.output === 'yaml') ctx.io.stdout.write(`${emitDocument(toNode(root), GO_YAML_V2)}\n`);
      else ctx.io.stdout.write(`${printTree(root)}\n`);
    });
}
