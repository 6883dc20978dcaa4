import { Option, type Command } from 'commander';
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
import { exportObject } from './export.ts';
import { applyOptions } from './sources.ts';

const KUSTOMIZATION_SOURCE_KINDS = ['GitRepository', 'OCIRepository', 'Bucket', 'ExternalArtifact'];
const HEALTH_CHECK_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet', 'HelmRelease'];

/** `create kustomization` (`cmd/flux/create_kustomization.go`). */
export function registerKustomization(create: Command, ctx: CommandContext): void {
  create
    .command('kustomization')
    .alias('ks')
    .argument('[name]')
    .description('Create or update a Kustomization resource')
    .option(
      '--source <source>',
      `source that contains the Kubernetes manifests in the format '[<kind>/]<name>.<namespace>', where kind must be one of: (${KUSTOMIZATION_SOURCE_KINDS.join(', ')}), if kind is not specified it defaults to GitRepository`,
    )
    .option('--path <path>', 'path to the directory containing a kustomization.yaml file', './')
    .option('--prune', 'enable garbage collection', false)
    .option('--wait', 'enable health checking of all the applied resources', false)
    .option(
      '--health-check <check>',
      "workload to be included in the health assessment, in the format '<kind>/<name>.<namespace>'",
      collect,
    )
    .option('--health-check-timeout <duration>', 'timeout of health checking operations', '2m0s')
    .option(
      '--depends-on <ks>',
      "Kustomization that must be ready before this Kustomization can be applied, supported formats '<name>' and '<namespace>/<name>', also accepts comma-separated values",
      collect,
    )
    .option(
      '--service-account <name>',
      'the name of the service account to impersonate when reconciling this Kustomization',
    )
    .addOption(
      new Option('--decryption-provider <provider>', 'decryption provider, available options are: (sops)').choices([
        'sops',
      ]),
    )
    .option(
      '--decryption-secret <name>',
      'set the Kubernetes secret name that contains the OpenPGP private keys used for sops decryption',
    )
    .option(
      '--target-namespace <namespace>',
      'overrides the namespace of all Kustomization objects reconciled by this Kustomization',
    )
    .option(
      '--kubeconfig-secret-ref <name>',
      'the name of the Kubernetes Secret that contains a key with the kubeconfig file for connecting to a remote cluster',
    )
    .option('--retry-interval <duration>', 'the interval at which to retry a previously failed reconciliation')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const ns = ctx.globals(cmd).namespace;
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      const path = str('path');
      if (path === '') throw new Error('path is required');
      if (!path.startsWith('./')) throw new Error('path must begin with ./');
      if (str('source') === '') throw new Error('source is required');
      let source;
      try {
        source = parseKindRef(str('source'), KUSTOMIZATION_SOURCE_KINDS, 'source', 'GitRepository');
      } catch (err) {
        throw new Error(`invalid argument "${str('source')}" for "--source" flag: ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (!flags.export) ctx.logger.generatef('generating Kustomization');
      const spec: Record<string, unknown> = {
        dependsOn: makeDependsOn(stringSlice(o['dependsOn'])),
        interval: flags.interval,
        path: path.replaceAll('\\', '/'),
        prune: o['prune'] === true,
        sourceRef: source,
        ...(str('targetNamespace') !== '' ? { targetNamespace: str('targetNamespace') } : {}),
      };
      if (str('kubeconfigSecretRef') !== '') spec['kubeConfig'] = { secretRef: { name: str('kubeconfigSecretRef') } };
      const checks = stringSlice(o['healthCheck']);
      const healthTimeout = durationFlag('health-check-timeout', str('healthCheckTimeout'));
      if (checks.length > 0 && o['wait'] !== true) {
        spec['healthChecks'] = checks.map((w) => {
          const kindObj = w.split('/');
          if (kindObj.length !== 2)
            throw new Error(
              `invalid health check '${w}' must be in the format 'kind/name.namespace' [${kindObj.join(' ')}]`,
            );
          const kind = kindObj[0] as string;
          if (!HEALTH_CHECK_KINDS.includes(kind))
            throw new Error(
              `invalid health check kind '${kind}' can be HelmRelease, Deployment, DaemonSet or StatefulSet`,
            );
          const nameNs = (kindObj[1] as string).split('.');
          if (nameNs.length !== 2)
            throw new Error(`invalid health check '${w}' must be in the format 'kind/name.namespace'`);
          return {
            ...(kind === 'HelmRelease' ? { apiVersion: apiVersionOf('HelmRelease') } : {}),
            kind,
            name: nameNs[0],
            namespace: nameNs[1],
          };
        });
        spec['timeout'] = healthTimeout;
      }
      if (o['wait'] === true) {
        spec['wait'] = true;
        spec['timeout'] = healthTimeout;
      }
      if (str('serviceAccount') !== '') spec['serviceAccountName'] = str('serviceAccount');
      if (str('decryptionProvider') !== '') {
        spec['decryption'] = {
          provider: str('decryptionProvider'),
          ...(str('decryptionSecret') !== '' ? { secretRef: { name: str('decryptionSecret') } } : {}),
        };
      }
      if (str('retryInterval') !== '') {
        const retry = durationFlag('retry-interval', str('retryInterval'));
        if (retry !== '0s') spec['retryInterval'] = retry;
      }
      const ks = {
        apiVersion: apiVersionOf('Kustomization'),
        kind: 'Kustomization',
        metadata: objectMeta(objName, ns, flags.labels),
        spec,
      };
      if (flags.export) return print(ctx, exportObject(ks));
      const opts = applyOptions(ctx, cmd);
      ctx.logger.actionf('applying Kustomization');
      await upsert(ks, 'Kustomization', opts);
      ctx.logger.waitingf('waiting for Kustomization reconciliation');
      const ready = await waitReady(ks, opts);
      ctx.logger.successf(`Kustomization ${objName} is ready`);
      ctx.logger.successf(`applied revision ${String(ready.status?.['lastAppliedRevision'] ?? '')}`);
    });
}
