/**
 * The install manifests (`gotk-components.yaml`): the repository's deploy/install (deploy/install-extra with
 * source-watcher) built by @flux-ts/kustomize, narrowed to the selected components and moved to the target
 * namespace, under flux2's generation header (`install.GetGenWarning`).
 */
import { fileURLToPath } from 'node:url';
import { build, toYaml } from '@flux-ts/kustomize';
import type { KObject } from '@flux-ts/kustomize';
import type { KubeObject } from '@flux-ts/runtime';
import { GEN_WARNING } from './manifestgen.ts';

/** deploy/ of this repository, found from this file (not the working directory). */
export const DEPLOY_DIR = fileURLToPath(new URL('../../../../../deploy/', import.meta.url));

/** The version deploy/install labels and tags (`app.kubernetes.io/version`). */
export const DISTRIBUTION_VERSION = 'v0.1.0';

/** flux's default `--components`. */
export const DEFAULT_COMPONENTS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
] as const;

/** flux's `--components-extra` values. */
export const EXTRA_COMPONENTS = [
  'image-reflector-controller',
  'image-automation-controller',
  'source-watcher',
] as const;

const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** flux2 `utils.ValidateComponents`. */
export function validateComponents(components: readonly string[]): void {
  const all: readonly string[] = [...DEFAULT_COMPONENTS, ...EXTRA_COMPONENTS];
  for (const c of components) if (!all.includes(c)) throw new Error(`component ${c} is not available`);
}

/** What {@link generateInstall} renders (flux2 `install.Options`; unset fields keep deploy/'s values). */
export interface InstallOptions {
  /** The components to install (defaults and extras together, in flag order). */
  readonly components: readonly string[];
  /** The namespace to install into (`-n`). */
  readonly namespace: string;
  /** `--registry`: the image repository prefix replacing `ghcr.io/flux-ts`. */
  readonly registry?: string | undefined;
  /** `--image-pull-secret`: added to every pod's `imagePullSecrets`. */
  readonly imagePullSecret?: string | undefined;
  /** `--watch-all-namespaces` (default true). */
  readonly watchAllNamespaces?: boolean | undefined;
  /** `--network-policy` (default true): false leaves out the NetworkPolicies. */
  readonly networkPolicy?: boolean | undefined;
  /** `--log-level` (default info). */
  readonly logLevel?: string | undefined;
  /** `--cluster-domain` (default cluster.local). */
  readonly clusterDomain?: string | undefined;
  /** `--toleration-keys`: a toleration `{key, operator: Exists}` per key on every pod. */
  readonly tolerationKeys?: readonly string[] | undefined;
}

/** The registry deploy/install names its images in. */
export const DEFAULT_IMAGE_REGISTRY = 'ghcr.io/flux-ts';

interface PodSpec {
  containers?: { image?: string; args?: string[] }[];
  imagePullSecrets?: { name: string }[];
  tolerations?: { key: string; operator: string }[];
}

/** flux2's install template patches (`templates.go`), applied to the built Deployments. */
function customize(o: KubeObject, opts: InstallOptions): KubeObject {
  if (o.kind !== 'Deployment') return o;
  const copy = structuredClone(o) as KubeObject & { spec?: { template?: { spec?: PodSpec } } };
  const pod = copy.spec?.template?.spec;
  if (pod === undefined) return copy;
  for (const c of pod.containers ?? []) {
    if (opts.registry !== undefined && c.image?.startsWith(`${DEFAULT_IMAGE_REGISTRY}/`))
      c.image = `${opts.registry.replace(/\/+$/, '')}${c.image.slice(DEFAULT_IMAGE_REGISTRY.length)}`;
    c.args = c.args?.map((a) => {
      if (opts.watchAllNamespaces !== undefined && /^--watch-all-namespaces(=.*)?$/.test(a))
        return `--watch-all-namespaces=${String(opts.watchAllNamespaces)}`;
      if (opts.logLevel !== undefined && a.startsWith('--log-level=')) return `--log-level=${opts.logLevel}`;
      if (opts.clusterDomain !== undefined && a.startsWith('--storage-adv-addr='))
        return a.replace(/\.svc\.cluster\.local\.$/, `.svc.${opts.clusterDomain}.`);
      return a;
    });
  }
  if (opts.imagePullSecret) pod.imagePullSecrets = [{ name: opts.imagePullSecret }];
  if (opts.tolerationKeys && opts.tolerationKeys.length > 0)
    pod.tolerations = opts.tolerationKeys.map((key) => ({ key, operator: 'Exists' }));
  return copy;
}

/** The built objects of the selected components, moved to `namespace`. */
export async function buildComponents(opts: InstallOptions): Promise<KubeObject[]> {
  validateComponents(opts.components);
  const base = opts.components.includes('source-watcher') ? 'install-extra' : 'install';
  const objects = (await build(`${DEPLOY_DIR}${base}`, { remote: false })) as unknown as KubeObject[];
  return objects
    .filter((o) => {
      const component = o.metadata.labels?.[COMPONENT_LABEL];
      return component === undefined || opts.components.includes(component);
    })
    .filter((o) => opts.networkPolicy !== false || o.kind !== 'NetworkPolicy')
    .map((o) => customize(inNamespace(o, opts.namespace), opts));
}

/** Moves an object of deploy/ (written for flux-system) to another namespace: itself, RBAC subjects, the Namespace. */
function inNamespace(o: KubeObject, namespace: string): KubeObject {
  if (namespace === 'flux-system') return o;
  const copy = structuredClone(o) as KubeObject & { subjects?: { namespace?: string }[] };
  if (copy.kind === 'Namespace' && copy.metadata.name === 'flux-system') copy.metadata.name = namespace;
  if (copy.metadata.namespace === 'flux-system') copy.metadata.namespace = namespace;
  for (const s of copy.subjects ?? []) if (s.namespace === 'flux-system') s.namespace = namespace;
  return copy;
}

/** flux2 `install.Generate`'s content: the header, then the objects as `kustomize build` prints them. */
export async function generateInstall(opts: InstallOptions): Promise<{ objects: KubeObject[]; content: string }> {
  const objects = await buildComponents(opts);
  const header = `---\n${GEN_WARNING}\n# Flux Version: ${DISTRIBUTION_VERSION}\n# Components: ${opts.components.join(',')}`;
  return { objects, content: `${header}\n${toYaml(objects as unknown as KObject[])}` };
}

/** Splits a comma-separated flag value (pflag's StringSlice), dropping empty items. */
export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
}

/** pflag's StringSlice: repeated flags accumulate (the default applies only when the flag is absent). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
