import { Option, type Command } from 'commander';
import { HelmGroup, KustomizeGroup } from '@flux-ts/api';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { fluxKindByKind, fluxKinds } from '../shared/kinds.ts';
import { goTimeString, gvkOf, readyCondition, stringAt, timeoutSignal, type FluxObject } from '../shared/objects.ts';

// Kinds typed in lower case on the command line (`--kind deployment`) mapped to their Kubernetes names; the
// client's REST mapping matches kinds exactly, as the kinds of @flux-ts/api do.
const knownKinds = [
  'Pod',
  'Service',
  'ConfigMap',
  'Secret',
  'Namespace',
  'ServiceAccount',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Ingress',
  'IngressClass',
  'NetworkPolicy',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Endpoints',
  'LimitRange',
  'ResourceQuota',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
];

/** The Kubernetes kind a user typed (`deployment` → `Deployment`). */
export function canonicalKind(kind: string): string {
  const k = kind.toLowerCase();
  return (
    knownKinds.find((n) => n.toLowerCase() === k) ??
    fluxKinds.find((f) => f.kind.toLowerCase() === k)?.kind ??
    kind.charAt(0).toUpperCase() + kind.slice(1)
  );
}

interface Cond {
  status: string;
  lastTransitionTime: string;
  message: string;
}

const ready = (o: FluxObject | undefined): Cond | undefined => (o ? readyCondition(o) : undefined);

/** A trace section: `---`, then aligned `Key: value` lines. */
class Report {
  readonly lines: string[] = [];
  readonly #width: number;
  constructor(width: number) {
    this.#width = width;
  }
  line(key: string, value: string): void {
    this.lines.push(`${`${key}:`.padEnd(this.#width)}${value}`);
  }
  sep(): void {
    this.lines.push('---');
  }
  raw(text: string): void {
    this.lines.push(text);
  }
  status(c: Cond | undefined, failedText: boolean): void {
    if (c === undefined) {
      this.line('Status', 'Unknown');
      return;
    }
    const failed = failedText && c.status === 'False';
    this.line(
      'Status',
      `${failed ? 'Last reconciliation failed at' : 'Last reconciled at'} ${goTimeString(c.lastTransitionTime)}`,
    );
    this.line('Message', c.message);
  }
  text(): string {
    return `\n${this.lines.join('\n')}\n`;
  }
}

async function getKind(
  client: KubeClient,
  kind: string,
  ns: string,
  name: string,
  signal: AbortSignal,
): Promise<FluxObject> {
  const fk = fluxKindByKind(kind);
  if (fk === undefined) throw new Error(`unsupported kind ${kind}`);
  try {
    return await client.get<FluxObject>(gvkOf(fk), { namespace: ns, name }, { signal });
  } catch (err) {
    throw new Error(`failed to find ${kind}: ${(err as Error).message}`, { cause: err });
  }
}

/** A Git or OCI repository section (flux's templates: `Tag`/`Branch`/`Digest`, the failed wording on Ready=False). */
function repositorySection(r: Report, src: FluxObject): void {
  r.sep();
  r.line(src.kind, src.metadata.name);
  r.line('Namespace', src.metadata.namespace ?? '');
  r.line('URL', stringAt(src, 'spec.url'));
  if (src.spec?.['ref'] !== undefined) {
    const tag = stringAt(src, 'spec.ref.tag');
    const semver = stringAt(src, 'spec.ref.semver');
    const other =
      src.kind === 'OCIRepository'
        ? ['Digest', stringAt(src, 'spec.ref.digest')]
        : ['Branch', stringAt(src, 'spec.ref.branch')];
    if (tag !== '') r.line('Tag', tag);
    else if (semver !== '') r.line('Tag', semver);
    else if (other[1] !== '') r.line(other[0] ?? '', other[1] ?? '');
  }
  if (src.status?.['artifact'] !== undefined) {
    r.line('Revision', stringAt(src, 'status.artifact.revision'));
    const metadata = (src.status['artifact'] as { metadata?: Record<string, string> }).metadata;
    if (src.kind === 'OCIRepository' && metadata !== undefined && Object.keys(metadata).length > 0) {
      // flux ranges over {"Origin Revision: ", "Origin Source:   "} in key order, a line each (empty when absent).
      const origin = metadata['org.opencontainers.image.revision'];
      const source = metadata['org.opencontainers.image.source'];
      r.raw(origin !== undefined ? `Origin Revision: ${origin}` : '');
      r.raw(source !== undefined ? `Origin Source:   ${source}` : '');
    }
  }
  r.status(ready(src), true);
}

/** A HelmChart or HelmRepository section of a HelmRelease trace. */
function helmSourceSection(r: Report, src: FluxObject): void {
  r.sep();
  r.line(src.kind, src.metadata.name);
  r.line('Namespace', src.metadata.namespace ?? '');
  if (src.kind === 'HelmChart') {
    r.line('Chart', stringAt(src, 'spec.chart'));
    r.line('Version', stringAt(src, 'spec.version'));
  } else {
    r.line('URL', stringAt(src, 'spec.url'));
  }
  if (src.status?.['artifact'] !== undefined) r.line('Revision', stringAt(src, 'status.artifact.revision'));
  r.status(ready(src), false);
}

/** flux's `traceKustomization` (its sources: GitRepository and OCIRepository). */
async function traceKustomization(
  client: KubeClient,
  objName: string,
  obj: KubeObject,
  ksNs: string,
  ksName: string,
  signal: AbortSignal,
): Promise<string> {
  const ks = await getKind(client, 'Kustomization', ksNs, ksName, signal).catch((err: unknown) => {
    throw new Error(`failed to find kustomization: ${(err as Error).message}`, { cause: err });
  });
  const r = new Report(17);
  r.line('Object', objName);
  if (obj.metadata.namespace) r.line('Namespace', obj.metadata.namespace);
  r.line('Status', 'Managed by Flux');
  r.sep();
  r.line('Kustomization', ks.metadata.name);
  r.line('Namespace', ks.metadata.namespace ?? '');
  const target = stringAt(ks, 'spec.targetNamespace');
  if (target !== '') r.line('Target', target);
  r.line('Path', stringAt(ks, 'spec.path'));
  r.line('Revision', stringAt(ks, 'status.lastAppliedRevision'));
  r.status(ready(ks), false);
  const srcKind = stringAt(ks, 'spec.sourceRef.kind');
  if (srcKind === 'GitRepository' || srcKind === 'OCIRepository') {
    const srcNs = stringAt(ks, 'spec.sourceRef.namespace') || (ks.metadata.namespace ?? '');
    repositorySection(r, await getKind(client, srcKind, srcNs, stringAt(ks, 'spec.sourceRef.name'), signal));
  }
  return r.text();
}

/** flux's `traceHelm` (HelmChart, then its HelmRepository or GitRepository). */
async function traceHelm(
  client: KubeClient,
  objName: string,
  obj: KubeObject,
  hrNs: string,
  hrName: string,
  signal: AbortSignal,
): Promise<string> {
  const hr = await getKind(client, 'HelmRelease', hrNs, hrName, signal);
  const r = new Report(16);
  r.line('Object', objName);
  if (obj.metadata.namespace) r.line('Namespace', obj.metadata.namespace);
  r.line('Status', 'Managed by Flux');
  r.sep();
  r.line('HelmRelease', hr.metadata.name);
  r.line('Namespace', hr.metadata.namespace ?? '');
  const target = stringAt(hr, 'spec.targetNamespace');
  if (target !== '') r.line('Target', target);
  const history = hr.status?.['history'];
  const latest = Array.isArray(history) && history.length > 0 ? stringAt(history[0], 'chartVersion') : '';
  r.line('Revision', stringAt(hr, 'status.lastAppliedRevision') || latest);
  r.status(ready(hr), false);
  const chart = stringAt(hr, 'status.helmChart');
  if (chart !== '') {
    const slash = chart.indexOf('/');
    helmSourceSection(r, await getKind(client, 'HelmChart', chart.slice(0, slash), chart.slice(slash + 1), signal));
  }
  const srcKind = stringAt(hr, 'spec.chart.spec.sourceRef.kind');
  const srcNs = stringAt(hr, 'spec.chart.spec.sourceRef.namespace') || (hr.metadata.namespace ?? '');
  const srcName = stringAt(hr, 'spec.chart.spec.sourceRef.name');
  if (srcKind === 'HelmRepository') helmSourceSection(r, await getKind(client, srcKind, srcNs, srcName, signal));
  if (srcKind === 'GitRepository') {
    // flux's HelmRelease template aligns its GitRepository section at 15 columns.
    const git = new Report(15);
    repositorySection(git, await getKind(client, srcKind, srcNs, srcName, signal));
    r.lines.push(...git.lines);
  }
  return r.text();
}

/** The `<group>/name` and `<group>/namespace` labels Flux puts on what it applies. */
function managedBy(obj: KubeObject, group: string): { name: string; namespace: string } | undefined {
  const labels = obj.metadata.labels ?? {};
  const name = labels[`${group}/name`];
  return name ? { name, namespace: labels[`${group}/namespace`] ?? '' } : undefined;
}

/** flux's `isOwnerManagedByFlux`: the object's labels, or its owners' (recursively). */
async function ownerManagedBy(
  client: KubeClient,
  obj: KubeObject,
  group: string,
  signal: AbortSignal,
): Promise<{ name: string; namespace: string } | undefined> {
  const direct = managedBy(obj, group);
  if (direct) return direct;
  for (const ref of obj.metadata.ownerReferences ?? []) {
    let owner: KubeObject;
    try {
      owner = await client.get(
        { apiVersion: ref.apiVersion, kind: ref.kind },
        { namespace: obj.metadata.namespace ?? '', name: ref.name },
        { signal },
      );
    } catch {
      return undefined;
    }
    const found = await ownerManagedBy(client, owner, group, signal);
    if (found) return found;
  }
  return undefined;
}

/** Registers `trace`. */
export function registerTrace(program: Command, ctx: CommandContext): void {
  program
    .command('trace')
    .description('Trace in-cluster objects throughout the GitOps delivery pipeline')
    .argument('[args...]', '<resource>/<name>, <resource> <name>, or <name> with --kind and --api-version')
    .addOption(new Option('--kind <kind>', "the Kubernetes object kind, e.g. Deployment'"))
    .addOption(new Option('--api-version <apiVersion>', "the Kubernetes object API version, e.g. 'apps/v1'"))
    .addHelpText(
      'after',
      '\nExamples:\n  # Trace a Kubernetes Deployment\n  flux-ts trace my-app --kind=deployment --api-version=apps/v1 --namespace=apps\n\n  # Trace a Kubernetes Pod\n  flux-ts trace redis-master-0 --kind=pod --api-version=v1 -n redis\n',
    )
    .action(async (args: string[], o: { kind?: string; apiVersion?: string }, c: Command) => {
      const isStatic = (o.kind ?? '') !== '' || (o.apiVersion ?? '') !== '';
      let kindArg: string;
      let name: string;
      let apiVersion: string | undefined;
      if (isStatic) {
        // flux's getObjectStatic: NAME with --kind and --api-version.
        const [a0] = args;
        if (a0 === undefined || a0 === '') throw new Error('object name is required');
        if (o.kind === undefined || o.kind === '') throw new Error('object kind is required (--kind)');
        if (o.apiVersion === undefined || o.apiVersion === '') {
          throw new Error('object apiVersion is required (--api-version)');
        }
        [kindArg, name, apiVersion] = [o.kind, a0, o.apiVersion];
      } else {
        // flux's getObjectDynamic (kubectl's resource builder): `<resource>/<name>` or `<resource> <name>`.
        const [a0, a1] = args;
        const slash = a0?.indexOf('/') ?? -1;
        if (a0 !== undefined && slash > 0 && a1 === undefined)
          [kindArg, name] = [a0.slice(0, slash), a0.slice(slash + 1)];
        else if (a0 !== undefined && a1 !== undefined && !a0.includes('/')) [kindArg, name] = [a0, a1];
        else throw new Error('either `<resource>/<name>` or `<resource> <name>` is required as an argument');
      }
      const kind = canonicalKind(singular(kindArg));
      apiVersion ??= fluxKindByKind(kind)?.apiVersion ?? defaultApiVersion(kind);
      const globals = ctx.globals(c);
      const { client } = ctx.connect(c);
      const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
      let obj: KubeObject;
      try {
        obj = await client.get({ apiVersion, kind }, { namespace: globals.namespace, name }, { signal });
      } catch (err) {
        throw new Error(`failed to find object: ${(err as Error).message}`, { cause: err });
      }
      const objName = `${isStatic ? kindArg : kind}/${name}`;
      try {
        const ks = await ownerManagedBy(client, obj, KustomizeGroup, signal);
        const hr = ks ? undefined : await ownerManagedBy(client, obj, HelmGroup, signal);
        if (ks) ctx.io.stdout.write(await traceKustomization(client, objName, obj, ks.namespace, ks.name, signal));
        else if (hr) ctx.io.stdout.write(await traceHelm(client, objName, obj, hr.namespace, hr.name, signal));
        else throw new Error('object not managed by Flux');
      } catch (err) {
        // flux's traceObjects: the failure goes to stderr (PrintErrf, no newline) and the command succeeds.
        ctx.io.stderr.write(
          `failed to trace ${kind}/${name} in namespace ${obj.metadata.namespace ?? ''}: ${(err as Error).message}`,
        );
      }
    });
}

/** A resource typed in the plural (`deployments`) as its kind's name, as kubectl's builder accepts it. */
function singular(resource: string): string {
  const k = resource.toLowerCase();
  const known = [...knownKinds, ...fluxKinds.map((f) => f.kind)].find(
    (n) => `${n.toLowerCase()}s` === k || `${n.toLowerCase()}es` === k || n.toLowerCase() === k,
  );
  const flux = fluxKinds.find((f) => f.plural === k || f.definition.shortNames.includes(k));
  return flux?.kind ?? known ?? resource;
}

/** The API version of the built-in kinds `trace` knows without `--api-version`. */
function defaultApiVersion(kind: string): string {
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(kind)) return 'apps/v1';
  if (['Job', 'CronJob'].includes(kind)) return 'batch/v1';
  if (['Ingress', 'IngressClass', 'NetworkPolicy'].includes(kind)) return 'networking.k8s.io/v1';
  if (['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(kind))
    return 'rbac.authorization.k8s.io/v1';
  if (kind === 'CustomResourceDefinition') return 'apiextensions.k8s.io/v1';
  if (kind === 'HorizontalPodAutoscaler') return 'autoscaling/v2';
  if (kind === 'PodDisruptionBudget') return 'policy/v1';
  if (kind === 'StorageClass') return 'storage.k8s.io/v1';
  if (kind === 'PriorityClass') return 'scheduling.k8s.io/v1';
  if (kind.endsWith('WebhookConfiguration')) return 'admissionregistration.k8s.io/v1';
  return 'v1';
}
