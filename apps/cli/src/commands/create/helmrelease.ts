import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { CommandContext } from '../../context.ts';
import { upsert, waitReady } from './apply.ts';
import {
  apiVersionOf,
  collect,
  createFlags,
  durationFlag,
  makeDependsOn,
  objectMeta,
  parseKindRef,
  print,
  requireName,
  stringSlice,
} from './common.ts';
import { exportObject, type GoValue } from './export.ts';
import { applyOptions } from './sources.ts';

const HELM_CHART_SOURCE_KINDS = ['HelmRepository', 'GitRepository', 'Bucket'];
const CHART_REF_KINDS = ['OCIRepository', 'HelmChart'];

/** `create helmrelease` (`cmd/flux/create_helmrelease.go`). */
export function registerHelmRelease(create: Command, ctx: CommandContext): void {
  create
    .command('helmrelease')
    .alias('hr')
    .argument('[name]')
    .description('Create or update a HelmRelease resource')
    .option(
      '--release-name <name>',
      "name used for the Helm release, defaults to a composition of '[<target-namespace>-]<HelmRelease-name>'",
    )
    .option(
      '--source <source>',
      `source that contains the chart in the format '<kind>/<name>.<namespace>', where kind must be one of: (${HELM_CHART_SOURCE_KINDS.join(', ')})`,
    )
    .option('--chart <chart>', 'Helm chart name or path')
    .option(
      '--chart-version <version>',
      'Helm chart version, accepts a semver range (ignored for charts from GitRepository sources)',
    )
    .option(
      '--chart-ref <ref>',
      `the name of the HelmChart resource to use as source for the HelmRelease, in the format '<kind>/<name>.<namespace>', where kind must be one of: (${CHART_REF_KINDS.join(', ')})`,
    )
    .option('--chart-interval <duration>', 'the interval of which to check for new chart versions')
    .option(
      '--depends-on <hr>',
      "HelmReleases that must be ready before this release can be installed, supported formats '<name>' and '<namespace>/<name>'",
      collect,
    )
    .option(
      '--target-namespace <namespace>',
      'namespace to install this release, defaults to the HelmRelease namespace',
    )
    .option('--storage-namespace <namespace>', 'namespace to store the Helm release, defaults to the target namespace')
    .option('--create-target-namespace', 'create the target namespace if it does not exist', false)
    .option(
      '--service-account <name>',
      'the name of the service account to impersonate when reconciling this HelmRelease',
    )
    .option(
      '--reconcile-strategy <strategy>',
      'the reconcile strategy for helm chart created by the helm release(accepted values: Revision and ChartRevision)',
      'ChartVersion',
    )
    .option('--values <file>', 'local path to values.yaml files, also accepts comma-separated values', collect)
    .option(
      '--values-from <ref>',
      "a Kubernetes object reference that contains the values.yaml data key in the format '<kind>/<name>', where kind must be one of: (Secret,ConfigMap)",
      collect,
    )
    .addOption(
      new Option(
        '--crds <policy>',
        'upgrade CRDs policy, available options are: (Skip, Create, CreateReplace)',
      ).choices(['Skip', 'Create', 'CreateReplace']),
    )
    .option(
      '--kubeconfig-secret-ref <name>',
      'the name of the Kubernetes Secret that contains a key with the kubeconfig file for connecting to a remote cluster',
    )
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const ns = ctx.globals(cmd).namespace;
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      let source;
      if (str('source') !== '') {
        try {
          source = parseKindRef(str('source'), HELM_CHART_SOURCE_KINDS, 'source');
        } catch (err) {
          throw new Error(`invalid argument "${str('source')}" for "--source" flag: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
      if (str('chart') === '' && str('chartRef') === '') throw new Error('chart or chart-ref is required');
      if (str('chart') !== '' && str('chartRef') !== '')
        throw new Error('cannot use --chart in combination with --chart-ref');
      if (!flags.export) ctx.logger.generatef('generating HelmRelease');
      if (str('reconcileStrategy') !== 'Revision' && str('reconcileStrategy') !== 'ChartVersion')
        throw new Error(
          `'${str('reconcileStrategy')}' is an invalid reconcile strategy(valid: Revision, ChartVersion)`,
        );
      const spec: Record<string, unknown> = {
        ...(str('releaseName') !== '' ? { releaseName: str('releaseName') } : {}),
        dependsOn: makeDependsOn(stringSlice(o['dependsOn'])),
        interval: flags.interval,
        ...(str('targetNamespace') !== '' ? { targetNamespace: str('targetNamespace') } : {}),
        ...(str('storageNamespace') !== '' ? { storageNamespace: str('storageNamespace') } : {}),
      };
      if (str('chart') !== '') {
        spec['chart'] = {
          spec: {
            chart: str('chart'),
            ...(str('chartVersion') !== '' ? { version: str('chartVersion') } : {}),
            sourceRef: source ?? { kind: '', name: '' },
            reconcileStrategy: str('reconcileStrategy'),
            ...(str('chartInterval') !== '' ? { interval: durationFlag('chart-interval', str('chartInterval')) } : {}),
          },
        };
      }
      if (str('chartRef') !== '') spec['chartRef'] = parseKindRef(str('chartRef'), CHART_REF_KINDS, 'chart reference');
      if (o['createTargetNamespace'] === true) spec['install'] = { createNamespace: true };
      if (str('crds') !== '') {
        spec['install'] = { ...((spec['install'] as object | undefined) ?? {}), crds: 'Create' };
        spec['upgrade'] = { crds: str('crds') };
      }
      if (str('serviceAccount') !== '') spec['serviceAccountName'] = str('serviceAccount');
      if (str('kubeconfigSecretRef') !== '') spec['kubeConfig'] = { secretRef: { name: str('kubeconfigSecretRef') } };
      const valuesFiles = stringSlice(o['values']);
      if (valuesFiles.length > 0) {
        let values: Record<string, unknown> = {};
        for (const file of valuesFiles) {
          let text: string;
          try {
            text = readFileSync(resolve(ctx.io.cwd, file), 'utf8');
          } catch (err) {
            throw new Error(`reading values from ${file} failed: ${(err as Error).message}`, { cause: err });
          }
          values = mergeMaps(values, (parseYaml(text) as Record<string, unknown> | null) ?? {});
        }
        spec['values'] = values as GoValue;
      }
      const valuesFrom = stringSlice(o['valuesFrom']);
      if (valuesFrom.length > 0)
        spec['valuesFrom'] = valuesFrom.map((v) => {
          const parts = v.split('/');
          if (parts.length !== 2)
            throw new Error(`invalid Kubernetes object reference '${v}', must be in format <kind>/<name>`);
          const kinds = ['Secret', 'ConfigMap'];
          const kind = kinds.find((k) => k.toLowerCase() === (parts[0] as string).toLowerCase());
          if (kind === undefined)
            throw new Error(
              `reference kind '${parts[0] as string}' is not supported, must be one of: ${kinds.join(', ')}`,
            );
          return { kind, name: parts[1] as string };
        });
      const hr = {
        apiVersion: apiVersionOf('HelmRelease'),
        kind: 'HelmRelease',
        metadata: objectMeta(objName, ns, flags.labels),
        spec,
      };
      if (flags.export) return print(ctx, exportObject(hr));
      const opts = applyOptions(ctx, cmd);
      ctx.logger.actionf('applying HelmRelease');
      await upsert(hr, 'HelmRelease', opts);
      ctx.logger.waitingf('waiting for HelmRelease reconciliation');
      const ready = await waitReady(hr, opts);
      ctx.logger.successf(`HelmRelease ${objName} is ready`);
      const history = ready.status?.['history'] as { chartVersion?: string }[] | undefined;
      ctx.logger.successf(`applied revision ${history?.[0]?.chartVersion ?? ''}`);
    });
}

/** Helm's `MergeMaps`: later files override earlier ones key by key. */
function mergeMaps(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      prev !== null &&
      typeof prev === 'object' &&
      !Array.isArray(prev)
        ? mergeMaps(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
