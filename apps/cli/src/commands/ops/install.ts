/**
 * `install`, `uninstall` and `check` (flux2 `cmd/flux/install.go`, `uninstall.go`, `check.go`): deploy/'s
 * manifests applied with server-side apply as field manager `flux`, the components waited for; the uninstall in
 * flux's order (components, finalizers, CRDs, namespace); the pre-requisite and installation checks.
 */
import { createInterface } from 'node:readline';
import { Option } from 'commander';
import type { Command } from 'commander';
import { ResourceManager } from '@flux-ts/ssa';
import type { HealthRef } from '@flux-ts/ssa';
import { KubeConfigTransport, errMessage, isNotFound } from '@flux-ts/runtime';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import {
  collect,
  DEFAULT_COMPONENTS,
  DEFAULT_IMAGE_REGISTRY,
  generateInstall,
  splitList,
  validateComponents,
} from './components.ts';
import type { InstallOptions } from './components.ts';
import { assessReady, commandSignal } from './wait.ts';

/** The field manager of flux's applies (`flux install`, `flux bootstrap`). */
export const FLUX_FIELD_MANAGER = 'flux';

const PART_OF = 'app.kubernetes.io/part-of=flux';
const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };

/** flux2 `buildComponentObjectRefs`: the Deployment of each component. */
export function componentRefs(components: readonly string[], namespace: string): HealthRef[] {
  return components.map((name) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace } }));
}

/**
 * Renders and applies the components (flux's `utils.Apply`: CRDs and Namespace first, server-side apply, the change
 * set printed to stderr), then waits for their Deployments (`verifying installation`).
 */
export async function installComponents(
  client: KubeClient,
  objects: readonly KubeObject[],
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<string> {
  const manager = new ResourceManager({ client, fieldManager: FLUX_FIELD_MANAGER });
  const cs = await manager.applyAllStaged(objects, {
    signal: opts.signal,
    waitTimeout: opts.timeoutMs,
    waitInterval: 500,
  });
  return cs.toString();
}

function addComponentFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--components <components>', 'list of components, accepts comma-separated values')
        .argParser(collect)
        .default(undefined, DEFAULT_COMPONENTS.join(',')),
    )
    .addOption(
      new Option(
        '--components-extra <components>',
        "list of components in addition to those supplied or defaulted, accepts values such as 'image-reflector-controller,image-automation-controller'",
      ).argParser(collect),
    );
}

/** The flags of flux's install options, shared by `install` and `bootstrap git`. */
export function addInstallFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--registry <registry>', 'container registry where the toolkit images are published').default(
        undefined,
        DEFAULT_IMAGE_REGISTRY,
      ),
    )
    .option(
      '--image-pull-secret <name>',
      'Kubernetes secret name used for pulling the toolkit images from a private registry',
    )
    .addOption(
      new Option(
        '--watch-all-namespaces',
        'watch for custom resources in all namespaces, if set to false it will only watch the namespace where the toolkit is installed',
      ).default(undefined, 'true'),
    )
    .addOption(
      new Option(
        '--network-policy',
        'setup Kubernetes network policies to deny ingress access to the toolkit controllers from other namespaces',
      ).default(undefined, 'true'),
    )
    .addOption(
      new Option('--log-level <level>', "log level, accepts 'debug', 'info', 'error'").choices([
        'debug',
        'info',
        'error',
      ]),
    )
    .addOption(new Option('--cluster-domain <domain>', 'internal cluster domain').default(undefined, 'cluster.local'))
    .option(
      '--toleration-keys <keys>',
      'list of toleration keys used to schedule the components pods onto nodes with matching taints',
      collect,
    );
}

/** The flags of {@link addInstallFlags}, as commander parsed them. */
export interface InstallFlags {
  registry?: string;
  imagePullSecret?: string;
  watchAllNamespaces?: boolean;
  networkPolicy?: boolean;
  logLevel?: string;
  clusterDomain?: string;
  tolerationKeys?: string[];
}

/** The install options of the flags. */
export function installOptionsOf(o: InstallFlags): Omit<InstallOptions, 'components' | 'namespace'> {
  return {
    registry: o.registry,
    imagePullSecret: o.imagePullSecret,
    watchAllNamespaces: o.watchAllNamespaces,
    networkPolicy: o.networkPolicy,
    logLevel: o.logLevel,
    clusterDomain: o.clusterDomain,
    tolerationKeys: splitList(o.tolerationKeys),
  };
}

/** The components of `--components` and `--components-extra`, validated. */
export function selectedComponents(o: { components?: string[]; componentsExtra?: string[] }): string[] {
  const components = [...splitList(o.components ?? [...DEFAULT_COMPONENTS]), ...splitList(o.componentsExtra)];
  validateComponents(components);
  return components;
}

function registerInstall(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('install')
    .summary('Install or upgrade Flux')
    .description(
      'The install command deploys Flux in the specified namespace.\nIf a previous version is installed, then an in-place upgrade will be performed.',
    )
    .option('--export', 'write the install manifests to stdout and exit', false);
  addInstallFlags(addComponentFlags(cmd)).action(
    async (o: InstallFlags & { export: boolean; components?: string[]; componentsExtra?: string[] }) => {
      const globals = ctx.globals(cmd);
      const components = selectedComponents(o);
      if (!o.export) ctx.logger.generatef('generating manifests');
      let manifest;
      try {
        manifest = await generateInstall({ components, namespace: globals.namespace, ...installOptionsOf(o) });
      } catch (err) {
        throw new Error(`install failed: ${errMessage(err)}`, { cause: err });
      }
      if (o.export) {
        ctx.io.stdout.write(manifest.content);
        return;
      }
      if (globals.verbose) ctx.io.stdout.write(manifest.content);
      ctx.logger.successf('manifests build completed');
      ctx.logger.actionf(`installing components in ${globals.namespace} namespace`);
      const { client } = ctx.connect(cmd);
      const signal = commandSignal(ctx.io.signal, globals.timeoutMs);
      const info = await fluxClusterInfo(client, signal);
      if (info?.bootstrapped)
        throw new Error(
          `this cluster has already been bootstrapped with Flux ${info.version}! Please use 'flux bootstrap' to upgrade`,
        );
      try {
        const out = await installComponents(client, manifest.objects, { timeoutMs: globals.timeoutMs, signal });
        ctx.io.stderr.write(`${out}\n`);
      } catch (err) {
        throw new Error(`install failed: ${errMessage(err)}`, { cause: err });
      }
      ctx.logger.waitingf('verifying installation');
      try {
        await assessReady(client, componentRefs(components, globals.namespace), ctx.logger, {
          timeoutMs: globals.timeoutMs,
          signal,
        });
      } catch (err) {
        throw new Error('install failed', { cause: err });
      }
      ctx.logger.successf('install finished');
    },
  );
}

/** flux2 `getFluxClusterInfo`: what the GitRepository CRD's labels say about the installation (undefined: none). */
export async function fluxClusterInfo(
  client: KubeClient,
  signal: AbortSignal,
): Promise<{ version: string; partOf: string; bootstrapped: boolean; managedBy: string } | undefined> {
  let crd: KubeObject;
  try {
    crd = await client.get(CRD, { name: 'gitrepositories.source.toolkit.fluxcd.io' }, { signal });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(`cluster info unavailable: ${errMessage(err)}`, { cause: err });
  }
  const labels = crd.metadata.labels ?? {};
  return {
    version: labels['app.kubernetes.io/version'] ?? '',
    partOf: labels['app.kubernetes.io/part-of'] ?? '',
    bootstrapped: 'kustomize.toolkit.fluxcd.io/name' in labels,
    managedBy: labels['app.kubernetes.io/managed-by'] ?? '',
  };
}

/** flux2 `fluxClusterInfo.distribution()`: `<part-of>-<version>`, or the version alone without a part-of label. */
export function distribution(info: { version: string; partOf: string }): string {
  return info.partOf !== '' ? `${info.partOf}-${info.version}` : info.version;
}

/** Reads one line from stdin (the prompt's answer). */
async function readLine(stdin: NodeJS.ReadableStream): Promise<string> {
  const rl = createInterface({ input: stdin });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

/**
 * The kinds flux's uninstall deletes by the part-of label (flux2 `uninstall.Components`), in its order; plus the
 * leader-election Roles and RoleBindings deploy/ adds (least privilege; flux has none).
 */
const COMPONENT_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', namespaced: false },
] as const;

/** The kinds whose finalizers flux's uninstall removes (flux2 `uninstall.Finalizers`), in its order. */
const FINALIZER_KINDS = [
  'gitrepositories.source.toolkit.fluxcd.io',
  'ocirepositories.source.toolkit.fluxcd.io',
  'helmrepositories.source.toolkit.fluxcd.io',
  'helmcharts.source.toolkit.fluxcd.io',
  'buckets.source.toolkit.fluxcd.io',
  'kustomizations.kustomize.toolkit.fluxcd.io',
  'helmreleases.helm.toolkit.fluxcd.io',
  'alerts.notification.toolkit.fluxcd.io',
  'providers.notification.toolkit.fluxcd.io',
  'receivers.notification.toolkit.fluxcd.io',
  'imagepolicies.image.toolkit.fluxcd.io',
  'imagerepositories.image.toolkit.fluxcd.io',
  'imageupdateautomations.image.toolkit.fluxcd.io',
] as const;

type Crd = KubeObject & { spec: { group: string; names: { kind: string } }; status?: { storedVersions?: string[] } };

function registerUninstall(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('uninstall')
    .summary('Uninstall Flux and its custom resource definitions')
    .description(
      'The uninstall command removes the Flux components and the toolkit.fluxcd.io resources from the cluster.',
    )
    .option('--keep-namespace', 'skip namespace deletion', false)
    .option('--dry-run', 'only print the objects that would be deleted', false)
    .option('-s, --silent', 'delete components without asking for confirmation', false)
    .action(async (o: { keepNamespace: boolean; dryRun: boolean; silent: boolean }) => {
      const globals = ctx.globals(cmd);
      if (!o.dryRun && !o.silent) {
        ctx.io.stderr.write('Are you sure you want to delete Flux and its custom resource definitions? [y/N] ');
        if (!/^y(es)?$/i.test((await readLine(ctx.io.stdin)).trim())) throw new Error('aborting');
      }
      const { client } = ctx.connect(cmd);
      const signal = commandSignal(ctx.io.signal, globals.timeoutMs);
      const ns = globals.namespace;
      // flux's `dryRunStr`, printed after `deleted` (an empty string leaves flux's trailing space)
      const dryRunStr = o.dryRun ? '(dry run)' : '';
      const failures: unknown[] = [];
      const del = async (gvk: { apiVersion: string; kind: string }, key: { name: string; namespace?: string }) => {
        const subject = `${gvk.kind}/${key.namespace ? `${key.namespace}/` : ''}${key.name}`;
        try {
          await client.delete(gvk, key, { signal, dryRun: o.dryRun });
          ctx.logger.successf(`${subject} deleted ${dryRunStr}`);
        } catch (err) {
          ctx.logger.failuref(`${subject} deletion failed: ${errMessage(err)}`);
          failures.push(err);
        }
      };

      ctx.logger.actionf(`deleting components in ${ns} namespace`);
      for (const k of COMPONENT_KINDS) {
        const items = (
          await client.listAll(k, { labelSelector: PART_OF, ...(k.namespaced ? { namespace: ns } : {}), signal })
        ).items;
        for (const item of items)
          await del(k, { name: item.metadata.name ?? '', ...(k.namespaced ? { namespace: ns } : {}) });
      }

      ctx.logger.actionf('deleting toolkit.fluxcd.io finalizers in all namespaces');
      const crds = (await client.listAll<Crd>(CRD, { labelSelector: PART_OF, signal })).items;
      const byName = new Map(crds.map((c) => [c.metadata.name ?? '', c]));
      for (const name of FINALIZER_KINDS) {
        const crd = byName.get(name);
        const version = crd?.status?.storedVersions?.at(-1);
        if (crd === undefined || version === undefined) continue;
        const gvk = { apiVersion: `${crd.spec.group}/${version}`, kind: crd.spec.names.kind };
        for (const item of (await client.listAll(gvk, { signal })).items) {
          const subject = `${gvk.kind}/${item.metadata.namespace ?? ''}/${item.metadata.name ?? ''}`;
          try {
            await client.patch(
              gvk,
              { name: item.metadata.name ?? '', namespace: item.metadata.namespace ?? '' },
              { metadata: { finalizers: null } },
              { type: 'merge', signal, dryRun: o.dryRun },
            );
            ctx.logger.successf(`${subject} finalizers deleted ${dryRunStr}`);
          } catch (err) {
            ctx.logger.failuref(`${subject} removing finalizers failed: ${errMessage(err)}`);
            failures.push(err);
          }
        }
      }

      ctx.logger.actionf('deleting toolkit.fluxcd.io custom resource definitions');
      for (const crd of crds) await del(CRD, { name: crd.metadata.name ?? '' });

      if (!o.keepNamespace) await del({ apiVersion: 'v1', kind: 'Namespace' }, { name: ns });
      if (failures.length > 0)
        throw new Error(`uninstall failed: ${failures.length} object(s) could not be deleted`, { cause: failures[0] });
      ctx.logger.successf('uninstall finished');
    });
}

/** flux's minimum Kubernetes version (`kubernetesConstraints`). */
export const KUBERNETES_CONSTRAINT = '>=1.32.0-0';

/** Checks a Kubernetes `gitVersion` against {@link KUBERNETES_CONSTRAINT}; returns the version as flux prints it. */
export function checkKubernetesVersion(gitVersion: string): { version: string; ok: boolean } {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(.*)$/.exec(gitVersion.trim());
  if (!m) throw new Error(`error parsing kubernetes version: invalid semantic version`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const version = gitVersion.trim().replace(/^v/, '');
  return { version, ok: major > 1 || (major === 1 && minor >= 32) };
}

interface CheckEntry {
  name: string;
  failed?: boolean;
}

function registerCheck(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('check')
    .summary('Check requirements and installation')
    .description(
      'The check command will perform a series of checks to validate that\nthe local environment is configured correctly and if the installed components are healthy.',
    )
    .option('--pre', 'only run pre-installation checks', false);
  addComponentFlags(cmd).action(async (o: { pre: boolean; components?: string[]; componentsExtra?: string[] }) => {
    const globals = ctx.globals(cmd);
    selectedComponents(o);
    const { client, kubeConfig } = ctx.connect(cmd);
    const signal = commandSignal(ctx.io.signal, globals.timeoutMs);
    const log = (title: string, entries: CheckEntry[]): boolean => {
      ctx.logger.actionf(`Checking ${title}`);
      for (const e of entries) (e.failed ? ctx.logger.failuref : ctx.logger.successf)(e.name);
      return !entries.some((e) => e.failed);
    };

    const pre: CheckEntry[] = [];
    try {
      const res = await new KubeConfigTransport(kubeConfig).request({ method: 'GET', path: '/version', signal });
      if (res.status !== 200) throw new Error(`GET /version: ${res.status} ${res.body.slice(0, 200)}`);
      const info = JSON.parse(res.body) as { gitVersion?: string };
      const { version, ok } = checkKubernetesVersion(info.gitVersion ?? '');
      pre.push({ name: `kubernetes ${version}${KUBERNETES_CONSTRAINT}`, failed: !ok });
    } catch (err) {
      pre.push({ name: `error getting kubernetes version: ${errMessage(err)}`, failed: true });
    }
    if (!log('kubernetes pre-requisites', pre)) throw new Error('pre-requisites checks failed');
    if (o.pre) {
      ctx.logger.actionf('All pre-requisites checks passed');
      return;
    }

    let ok = true;
    const status: CheckEntry[] = [];
    try {
      const info = await fluxClusterInfo(client, signal);
      if (info === undefined)
        throw new Error(
          'customresourcedefinitions.apiextensions.k8s.io "gitrepositories.source.toolkit.fluxcd.io" not found',
        );
      const dist = distribution(info);
      if (dist !== '') status.push({ name: `distribution: ${dist}` });
      status.push({ name: `bootstrapped: ${String(info.bootstrapped)}` });
    } catch (err) {
      status.push({ name: `error getting cluster info: ${errMessage(err)}`, failed: true });
    }
    ok = log('flux installation status', status) && ok;

    const controllers: CheckEntry[] = [];
    type Deployment = KubeObject & { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } };
    const deployments = (
      await client.listAll<Deployment>(
        { apiVersion: 'apps/v1', kind: 'Deployment' },
        { namespace: globals.namespace, labelSelector: PART_OF, signal },
      )
    ).items;
    if (deployments.length === 0)
      controllers.push({
        name: `no controllers found in the '${globals.namespace}' namespace with the label selector '${PART_OF}'`,
        failed: true,
      });
    for (const d of deployments) {
      const name = d.metadata.name ?? '';
      try {
        await assessReady(client, componentRefs([name], globals.namespace), ctx.logger, {
          timeoutMs: globals.timeoutMs,
          signal,
        });
        for (const c of d.spec?.template?.spec?.containers ?? []) controllers.push({ name: c.image ?? '' });
      } catch (err) {
        controllers.push({ name: `error checking status of ${name}: ${errMessage(err)}`, failed: true });
      }
    }
    ok = log('flux controllers', controllers) && ok;

    const crds: CheckEntry[] = [];
    const list = (await client.listAll<Crd>(CRD, { labelSelector: PART_OF, signal })).items;
    if (list.length === 0) crds.push({ name: `no crds found with the label selector '${PART_OF}'`, failed: true });
    for (const crd of list) {
      const v = crd.status?.storedVersions?.at(-1);
      crds.push(
        v !== undefined
          ? { name: `${crd.metadata.name ?? ''}/${v}` }
          : { name: `no stored versions for ${crd.metadata.name ?? ''}`, failed: true },
      );
    }
    ok = log('flux crds', crds) && ok;
    if (!ok) throw new Error('checks failed');
    ctx.logger.actionf('All checks passed');
  });
}

/** Registers `install`, `uninstall` and `check`. */
export function registerInstallCommands(program: Command, ctx: CommandContext): void {
  registerInstall(program, ctx);
  registerUninstall(program, ctx);
  registerCheck(program, ctx);
}
