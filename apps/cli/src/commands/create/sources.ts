import { Option, type Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { upsert, waitReady, type ApplyOptions } from './apply.ts';
import {
  apiVersionOf,
  collect,
  createFlags,
  durationFlag,
  objectMeta,
  print,
  requireName,
  stringSlice,
  type CreateFlags,
} from './common.ts';
import { exportObject } from './export.ts';
import { generateGitSecret, type GitSecretOptions, type HostKeyScanner } from './secrets.ts';

/** What a source command needs beyond the context (injected in tests). */
export interface SourceDeps {
  /** Reads the SSH host key of `host[:port]` (flux's `ssh-keyscan`). */
  readonly scanHostKey: HostKeyScanner;
  /** Reads a file relative to the working directory. */
  readonly readFile: (path: string) => string;
  /** Asks a yes/no question on the terminal (flux's promptui confirm). */
  readonly confirm: (label: string) => Promise<boolean>;
}

/** The apply options of a command. */
export function applyOptions(ctx: CommandContext, cmd: Command): ApplyOptions {
  const globals = ctx.globals(cmd);
  return { client: ctx.connect(cmd).client, logger: ctx.logger, signal: ctx.io.signal, timeoutMs: globals.timeoutMs };
}

/** `create source --fetch-timeout`: `spec.timeout` when set above zero. */
function fetchTimeout(cmd: Command): { timeout?: string } {
  const v = cmd.optsWithGlobals<Record<string, unknown>>()['fetchTimeout'];
  if (typeof v !== 'string' || v === '') return {};
  const d = durationFlag('fetch-timeout', v);
  return d === '0s' ? {} : { timeout: d };
}

/** Go's `url.Parse` scheme, or '' (enough for flux's scheme checks). */
export function urlScheme(raw: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw);
  return m ? (m[1] as string).toLowerCase() : '';
}

/** `create source git` (`cmd/flux/create_source_git.go`). */
export function registerSourceGit(source: Command, ctx: CommandContext, deps: SourceDeps): void {
  source
    .command('git')
    .argument('[name]')
    .description('Create or update a GitRepository source')
    .option('--url <url>', 'git address, e.g. ssh://git@host/org/repository')
    .option('--branch <branch>', 'git branch')
    .option('--tag <tag>', 'git tag')
    .option('--tag-semver <range>', 'git tag semver range')
    .option('--ref-name <ref>', ' git reference name')
    .option('--commit <sha>', 'git commit')
    .option('-u, --username <username>', 'basic authentication username')
    .option('-p, --password <password>', 'basic authentication password')
    .addOption(
      new Option('--ssh-key-algorithm <algorithm>', 'SSH public key algorithm (rsa, ecdsa, ed25519)')
        .choices(['rsa', 'ecdsa', 'ed25519'])
        .default('ecdsa'),
    )
    .addOption(
      new Option('--ssh-rsa-bits <bits>', 'SSH RSA public key bit size (multiplies of 8, min 1024)').default('2048'),
    )
    .addOption(
      new Option('--ssh-ecdsa-curve <curve>', 'SSH ECDSA public key curve (p256, p384, p521)')
        .choices(['p256', 'p384', 'p521'])
        .default('p384'),
    )
    .option('--secret-ref <name>', 'the name of an existing secret containing SSH or basic credentials')
    .addOption(new Option('--provider <provider>', 'the Git provider name').choices(['generic', 'azure', 'github']))
    .option('--ca-file <path>', 'path to TLS CA file used for validating self-signed certificates')
    .option(
      '--private-key-file <path>',
      'path to a passwordless private key file used for authenticating to the Git SSH server',
    )
    .option(
      '--recurse-submodules',
      'when enabled, configures the GitRepository source to initialize and include Git submodules in the artifact it produces',
      false,
    )
    .option('-s, --silent', 'assumes the deploy key is already setup, skips confirmation', false)
    .option(
      '--ignore-paths <paths>',
      'set paths to ignore in git resource (can specify multiple paths with commas: path1,path2)',
      collect,
    )
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const flags = createFlags(cmd);
      const ns = ctx.globals(cmd).namespace;
      const repo = buildGitRepository(requireName(name), ns, flags, o);
      Object.assign(repo.spec, fetchTimeout(cmd));
      if (flags.export) return print(ctx, exportObject(repo));
      const opts = applyOptions(ctx, cmd);
      ctx.logger.generatef('generating GitRepository source');
      const url = String(o['url']);
      if (o['secretRef'] === undefined) {
        const scheme = urlScheme(url);
        if (scheme === 'http') ctx.logger.warningf('insecure configuration: credentials configured for an HTTP URL');
        const secretOpts: GitSecretOptions = {
          name: repo.metadata.name,
          namespace: ns,
          url,
          ...(typeof o['username'] === 'string' ? { username: o['username'] } : {}),
          ...(typeof o['password'] === 'string' ? { password: o['password'] } : {}),
          ...(typeof o['caFile'] === 'string' && scheme === 'https' ? { caCrt: deps.readFile(o['caFile']) } : {}),
          ...(typeof o['privateKeyFile'] === 'string' ? { privateKey: deps.readFile(o['privateKeyFile']) } : {}),
          keyAlgorithm: String(o['sshKeyAlgorithm']) as GitSecretOptions['keyAlgorithm'],
          rsaBits: Number(o['sshRsaBits']),
          ecdsaCurve: String(o['sshEcdsaCurve']) as GitSecretOptions['ecdsaCurve'],
        };
        const secret = await generateGitSecret(secretOpts, deps.scanHostKey);
        const data = secret.stringData;
        if (Object.keys(data).length > 0) {
          if (data['known_hosts'] !== undefined)
            ctx.logger.successf(`collected public key from SSH server:\n${data['known_hosts']}`);
          if (data['identity.pub'] !== undefined) {
            ctx.logger.generatef(`deploy key: ${data['identity.pub']}`);
            if (o['silent'] !== true && !(await deps.confirm('Have you added the deploy key to your repository')))
              throw new Error('aborting');
          }
          ctx.logger.actionf('applying secret with repository credentials');
          await upsert(secret, 'Secret', { ...opts, logger: { ...opts.logger, successf: () => {} } });
          repo.spec.secretRef = { name: secret.metadata.name };
          ctx.logger.successf('authentication configured');
        }
      }
      ctx.logger.actionf('applying GitRepository source');
      await upsert(repo, 'GitRepository source', opts);
      ctx.logger.waitingf('waiting for GitRepository source reconciliation');
      const ready = await waitReady(repo, opts);
      ctx.logger.successf('GitRepository source reconciliation completed');
      const artifact = ready.status?.['artifact'] as { revision?: string } | undefined;
      if (artifact === undefined)
        throw new Error('GitRepository source reconciliation completed but no artifact was found');
      ctx.logger.successf(`fetched revision: ${artifact.revision ?? ''}`);
    });
}

/** A GitRepository as flux generates it from the flags. */
export function buildGitRepository(
  name: string,
  namespace: string,
  flags: CreateFlags,
  o: Record<string, unknown>,
): {
  apiVersion: string;
  kind: 'GitRepository';
  metadata: ReturnType<typeof objectMeta>;
  spec: Record<string, unknown> & { secretRef?: { name: string } };
} {
  const url = typeof o['url'] === 'string' ? o['url'] : '';
  if (url === '') throw new Error('url is required');
  const scheme = urlScheme(url);
  if (scheme !== 'ssh' && scheme !== 'http' && scheme !== 'https')
    throw new Error(`git URL scheme '${scheme}' not supported, can be: ssh, http and https`);
  if (typeof o['caFile'] === 'string' && scheme === 'ssh')
    throw new Error('specifying a CA file is not supported for Git over SSH');
  const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
  const [branch, tag, semver, refName, commit] = ['branch', 'tag', 'tagSemver', 'refName', 'commit'].map(str) as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (branch === '' && tag === '' && semver === '' && refName === '' && commit === '')
    throw new Error(
      'a Git ref is required, use one of the following: --branch, --tag, --commit, --ref-name or --tag-semver',
    );
  if (refName !== '' && !refName.startsWith('refs/')) throw new Error('ref name must be prefixed with refs/');
  let ref: Record<string, string>;
  if (commit !== '') ref = { commit, ...(branch !== '' ? { branch } : {}) };
  else if (refName !== '') ref = { name: refName };
  else if (semver !== '') ref = { semver };
  else if (tag !== '') ref = { tag };
  else ref = { branch };
  const ignore = stringSlice(o['ignorePaths']);
  const spec: Record<string, unknown> & { secretRef?: { name: string } } = {
    url,
    interval: flags.interval,
    ref,
    ...(o['recurseSubmodules'] === true ? { recurseSubmodules: true } : {}),
    ...(ignore.length > 0 ? { ignore: ignore.join('\n') } : {}),
    ...(typeof o['provider'] === 'string' ? { provider: o['provider'] } : {}),
  };
  if (typeof o['secretRef'] === 'string' && o['secretRef'] !== '') spec.secretRef = { name: o['secretRef'] };
  return {
    apiVersion: apiVersionOf('GitRepository'),
    kind: 'GitRepository',
    metadata: objectMeta(name, namespace, flags.labels),
    spec,
  };
}

/** `create source helm` (`cmd/flux/create_source_helm.go`). */
export function registerSourceHelm(source: Command, ctx: CommandContext, deps: SourceDeps): void {
  source
    .command('helm')
    .argument('[name]')
    .description('Create or update a HelmRepository source')
    .option('--url <url>', 'Helm repository address')
    .option('-u, --username <username>', 'basic authentication username')
    .option('-p, --password <password>', 'basic authentication password')
    .option('--cert-file <path>', 'TLS authentication cert file path')
    .option('--key-file <path>', 'TLS authentication key file path')
    .option('--ca-file <path>', 'TLS authentication CA file path')
    .option('--secret-ref <name>', 'the name of an existing secret containing TLS or basic auth credentials')
    .option('--oci-provider <provider>', 'OCI provider for authentication')
    .option('--pass-credentials', 'pass credentials to all domains', false)
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const ns = ctx.globals(cmd).namespace;
      const url = typeof o['url'] === 'string' ? o['url'] : '';
      if (url === '') throw new Error('url is required');
      const scheme = urlScheme(url);
      if (scheme !== 'http' && scheme !== 'https' && scheme !== 'oci')
        throw new Error(`url scheme '${scheme}' not supported, can be: http, https and oci`);
      const spec: Record<string, unknown> = {
        url,
        interval: flags.interval,
        ...fetchTimeout(cmd),
      };
      if (scheme === 'oci') {
        spec['type'] = 'oci';
        if (typeof o['ociProvider'] === 'string' && o['ociProvider'] !== '') spec['provider'] = o['ociProvider'];
      }
      const passCredentials = o['passCredentials'] === true ? { passCredentials: true } : {};
      if (typeof o['secretRef'] === 'string' && o['secretRef'] !== '')
        Object.assign(spec, { secretRef: { name: o['secretRef'] }, ...passCredentials });
      const repo = {
        apiVersion: apiVersionOf('HelmRepository'),
        kind: 'HelmRepository',
        metadata: objectMeta(objName, ns, flags.labels),
        spec,
      };
      if (flags.export) return print(ctx, exportObject(repo));
      const opts = applyOptions(ctx, cmd);
      const readOr = (path: string, what: string): string => {
        try {
          return deps.readFile(path);
        } catch (err) {
          throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
        }
      };
      const data: Record<string, string> = {};
      if (typeof o['caFile'] === 'string') data['caFile'] = readOr(o['caFile'], 'unable to read TLS CA file');
      if (typeof o['certFile'] === 'string' && typeof o['keyFile'] === 'string') {
        data['certFile'] = readOr(o['certFile'], 'failed to read cert file');
        data['keyFile'] = readOr(o['keyFile'], 'failed to read key file');
      }
      if (typeof o['username'] === 'string' && o['username'] !== '') data['username'] = o['username'];
      if (typeof o['password'] === 'string' && o['password'] !== '') data['password'] = o['password'];
      ctx.logger.generatef('generating HelmRepository source');
      if (spec['secretRef'] === undefined) {
        const secretName = `helm-${objName}`;
        if (Object.keys(data).length > 0) {
          ctx.logger.actionf('applying secret with repository credentials');
          const secret = {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: secretName, namespace: ns },
            stringData: data,
          };
          await upsert(secret, 'Secret', { ...opts, logger: { ...opts.logger, successf: () => {} } });
          Object.assign(spec, { secretRef: { name: secretName }, ...passCredentials });
          ctx.logger.successf('authentication configured');
        }
      }
      ctx.logger.actionf('applying HelmRepository source');
      await upsert(repo, 'source', opts);
      ctx.logger.waitingf('waiting for HelmRepository source reconciliation');
      // An OCI HelmRepository is static: it has no status to wait for.
      if (spec['type'] === 'oci') {
        ctx.logger.successf('HelmRepository source reconciliation completed');
        return;
      }
      const ready = await waitReady(repo, opts);
      ctx.logger.successf('HelmRepository source reconciliation completed');
      const artifact = ready.status?.['artifact'] as { revision?: string } | undefined;
      if (artifact === undefined)
        throw new Error('HelmRepository source reconciliation completed but no artifact was found');
      ctx.logger.successf(`fetched revision: ${artifact.revision ?? ''}`);
    });
}

/** `create source oci` (`cmd/flux/create_source_oci.go`). */
export function registerSourceOci(source: Command, ctx: CommandContext): void {
  source
    .command('oci')
    .argument('[name]')
    .description('Create or update an OCIRepository')
    .option('--url <url>', 'the OCI repository URL')
    .option('--tag <tag>', 'the OCI artifact tag')
    .option('--tag-semver <range>', 'the OCI artifact tag semver range')
    .option('--digest <digest>', 'the OCI artifact digest')
    .option(
      '--secret-ref <name>',
      "the name of the Kubernetes image pull secret (type 'kubernetes.io/dockerconfigjson')",
    )
    .option(
      '--service-account <name>',
      'the name of the Kubernetes service account that refers to an image pull secret',
    )
    .option('--cert-ref <name>', 'the name of a secret to use for TLS certificates')
    .addOption(new Option('--provider <provider>', 'the OCI provider name').choices(['generic', 'aws', 'azure', 'gcp']))
    .option('--insecure', 'for when connecting to a non-TLS registries over plain HTTP', false)
    .option(
      '--ignore-paths <paths>',
      'set paths to ignore resources (can specify multiple paths with commas: path1,path2)',
      collect,
    )
    .option('--verify-provider <provider>', 'the OCI verification provider name, e.g. cosign or notation')
    .option('--verify-secret-ref <name>', 'the name of a secret to use for signature verification')
    .option('--verify-subject <regexp>', 'regular expression to use for the OIDC subject during signature verification')
    .option('--verify-issuer <regexp>', 'regular expression to use for the OIDC issuer during signature verification')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const ns = ctx.globals(cmd).namespace;
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      const url = str('url');
      if (url === '') throw new Error('url is required');
      if (str('tag') === '' && str('tagSemver') === '' && str('digest') === '')
        throw new Error('--tag, --tag-semver or --digest is required');
      if (str('verifySecretRef') !== '' && str('verifyProvider') === '')
        throw new Error('a verification provider must be specified when a secret is specified');
      if ((str('verifySubject') !== '' || str('verifyIssuer') !== '') && str('verifyProvider') === '')
        throw new Error('a verification provider must be specified when OIDC issuer/subject is specified');
      const ignore = stringSlice(o['ignorePaths']);
      const ref: Record<string, string> = {};
      if (str('digest') !== '') ref['digest'] = str('digest');
      if (str('tagSemver') !== '') ref['semver'] = str('tagSemver');
      if (str('tag') !== '') ref['tag'] = str('tag');
      const spec: Record<string, unknown> = {
        url,
        interval: flags.interval,
        ref,
        ...(str('provider') !== '' ? { provider: str('provider') } : {}),
        ...fetchTimeout(cmd),
        ...(str('secretRef') !== '' ? { secretRef: { name: str('secretRef') } } : {}),
        ...(str('serviceAccount') !== '' ? { serviceAccountName: str('serviceAccount') } : {}),
        ...(str('certRef') !== '' ? { certSecretRef: { name: str('certRef') } } : {}),
        ...(o['insecure'] === true ? { insecure: true } : {}),
        ...(ignore.length > 0 ? { ignore: ignore.join('\n') } : {}),
      };
      if (str('verifyProvider') !== '') {
        spec['verify'] = {
          provider: str('verifyProvider'),
          ...(str('verifySecretRef') !== '' ? { secretRef: { name: str('verifySecretRef') } } : {}),
          ...(str('verifySubject') !== '' || str('verifyIssuer') !== ''
            ? { matchOIDCIdentity: [{ subject: str('verifySubject'), issuer: str('verifyIssuer') }] }
            : {}),
        };
      }
      const repo = {
        apiVersion: apiVersionOf('OCIRepository'),
        kind: 'OCIRepository',
        metadata: objectMeta(objName, ns, flags.labels),
        spec,
      };
      if (flags.export) return print(ctx, exportObject(repo));
      const opts = applyOptions(ctx, cmd);
      ctx.logger.actionf('applying OCIRepository');
      await upsert(repo, 'OCIRepository', opts);
      ctx.logger.waitingf('waiting for OCIRepository reconciliation');
      const ready = await waitReady(repo, opts);
      ctx.logger.successf('OCIRepository reconciliation completed');
      const artifact = ready.status?.['artifact'] as { revision?: string } | undefined;
      if (artifact === undefined) throw new Error('no artifact was found');
      ctx.logger.successf(`fetched revision: ${artifact.revision ?? ''}`);
    });
}

/** `create source bucket` (`cmd/flux/create_source_bucket.go`). */
export function registerSourceBucket(source: Command, ctx: CommandContext): void {
  source
    .command('bucket')
    .argument('[name]')
    .description('Create or update a Bucket source')
    .addOption(
      new Option('--provider <provider>', 'the S3 compatible storage provider name')
        .choices(['generic', 'aws', 'gcp', 'azure'])
        .default('generic'),
    )
    .option('--bucket-name <name>', 'the bucket name')
    .option('--endpoint <endpoint>', 'the bucket endpoint address')
    .option('--access-key <key>', 'the bucket access key')
    .option('--secret-key <key>', 'the bucket secret key')
    .option('--region <region>', 'the bucket region')
    .option('--insecure', 'for when connecting to a non-TLS S3 HTTP endpoint', false)
    .option(
      '--ignore-paths <paths>',
      'set paths to ignore in bucket resource (can specify multiple paths with commas: path1,path2)',
      collect,
    )
    .option('--secret-ref <name>', 'the name of an existing secret containing credentials')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const ns = ctx.globals(cmd).namespace;
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      if (str('bucketName') === '') throw new Error('bucket-name is required');
      if (str('endpoint') === '') throw new Error('endpoint is required');
      const spec: Record<string, unknown> = {
        provider: str('provider'),
        bucketName: str('bucketName'),
        endpoint: str('endpoint'),
        ...(o['insecure'] === true ? { insecure: true } : {}),
        interval: flags.interval,
        ...fetchTimeout(cmd),
        ...(str('region') !== '' ? { region: str('region') } : {}),
        ...(str('secretRef') !== '' ? { secretRef: { name: str('secretRef') } } : {}),
        ...(stringSlice(o['ignorePaths']).length > 0 ? { ignore: stringSlice(o['ignorePaths']).join('\n') } : {}),
      };
      const bucket = {
        apiVersion: apiVersionOf('Bucket'),
        kind: 'Bucket',
        metadata: objectMeta(objName, ns, flags.labels),
        spec,
      };
      if (flags.export) return print(ctx, exportObject(bucket));
      const opts = applyOptions(ctx, cmd);
      ctx.logger.generatef('generating Bucket source');
      if (spec['secretRef'] === undefined && str('accessKey') !== '' && str('secretKey') !== '') {
        const secretName = `bucket-${objName}`;
        ctx.logger.actionf('applying secret with the bucket credentials');
        const secret = {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: objectMeta(secretName, ns, flags.labels),
          stringData: { accesskey: str('accessKey'), secretkey: str('secretKey') },
        };
        await upsert(secret, 'Secret', { ...opts, logger: { ...opts.logger, successf: () => {} } });
        spec['secretRef'] = { name: secretName };
        ctx.logger.successf('authentication configured');
      }
      ctx.logger.actionf('applying Bucket source');
      await upsert(bucket, 'Bucket source', opts);
      ctx.logger.waitingf('waiting for Bucket source reconciliation');
      const ready = await waitReady(bucket, opts);
      ctx.logger.successf('Bucket source reconciliation completed');
      const artifact = ready.status?.['artifact'] as { revision?: string } | undefined;
      if (artifact === undefined) throw new Error('Bucket source reconciliation but no artifact was found');
      ctx.logger.successf(`fetched revision: ${artifact.revision ?? ''}`);
    });
}

/** `create source chart` (`cmd/flux/create_source_chart.go`): a HelmChart from a HelmRepository, GitRepository or Bucket. */
export function registerSourceChart(source: Command, ctx: CommandContext): void {
  source
    .command('chart')
    .argument('[name]')
    .description('Create or update a HelmChart source')
    .option('--chart <chart>', 'Helm chart name or path')
    .option(
      '--chart-version <version>',
      'Helm chart version, accepts a semver range (ignored for charts from GitRepository sources)',
    )
    .option(
      '--source <source>',
      "source that contains the chart in the format '<kind>/<name>', where kind must be one of: (HelmRepository, GitRepository, Bucket)",
    )
    .option(
      '--reconcile-strategy <strategy>',
      'the reconcile strategy for helm chart (accepted values: Revision and ChartRevision)',
      'ChartVersion',
    )
    .option('--verify-provider <provider>', 'one of (cosign)')
    .option('--verify-secret-ref <name>', 'the name of a secret to use for signature verification')
    .option('--verify-subject <regexp>', 'regular expression to use for the OIDC subject during signature verification')
    .option('--verify-issuer <regexp>', 'regular expression to use for the OIDC issuer during signature verification')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      // pflag validates --source and --verify-provider while parsing, before the command runs.
      let sourceRef: { kind: string; name: string } | undefined;
      if (str('source') !== '') {
        const kinds = ['HelmRepository', 'GitRepository', 'Bucket'];
        const [kind = '', refName = ''] = str('source').split('/');
        const canonical = kinds.find((k) => k.toLowerCase() === kind.toLowerCase());
        if (canonical === undefined)
          throw new Error(
            `invalid argument "${str('source')}" for "--source" flag: source kind '${kind}' is not supported, must be one of: ${kinds.join('|')}`,
          );
        sourceRef = { kind: canonical, name: refName };
      }
      if (str('verifyProvider') !== '' && str('verifyProvider') !== 'cosign')
        throw new Error(
          `invalid argument "${str('verifyProvider')}" for "--verify-provider" flag: source OCI verify provider '${str('verifyProvider')}' is not supported, must be one of: cosign`,
        );
      const objName = requireName(name);
      const flags = createFlags(cmd);
      if (sourceRef === undefined || sourceRef.name === '') throw new Error('chart source is required');
      if (str('chart') === '') throw new Error('chart name or path is required');
      ctx.logger.generatef('generating HelmChart source');
      const spec: Record<string, unknown> = {
        chart: str('chart'),
        ...(str('chartVersion') !== '' ? { version: str('chartVersion') } : {}),
        interval: flags.interval,
        ...(str('reconcileStrategy') !== '' ? { reconcileStrategy: str('reconcileStrategy') } : {}),
        sourceRef,
      };
      if (str('verifyProvider') !== '') {
        spec['verify'] = {
          provider: str('verifyProvider'),
          ...(str('verifySecretRef') !== '' ? { secretRef: { name: str('verifySecretRef') } } : {}),
          ...(str('verifyIssuer') !== '' || str('verifySubject') !== ''
            ? { matchOIDCIdentity: [{ issuer: str('verifyIssuer'), subject: str('verifySubject') }] }
            : {}),
        };
      } else if (str('verifySecretRef') !== '')
        throw new Error('a verification provider must be specified when a secret is specified');
      else if (str('verifyIssuer') !== '' || str('verifySubject') !== '')
        throw new Error('a verification provider must be specified when OIDC issuer/subject is specified');
      const chart = {
        apiVersion: apiVersionOf('HelmChart'),
        kind: 'HelmChart',
        metadata: objectMeta(objName, ctx.globals(cmd).namespace, flags.labels),
        spec,
      };
      if (flags.export) return print(ctx, exportObject(chart));
      ctx.logger.actionf('applying HelmChart source');
      const opts = applyOptions(ctx, cmd);
      await upsert(chart, 'source', opts);
      ctx.logger.waitingf('waiting for HelmChart source reconciliation');
      const ready = await waitReady(chart, opts);
      ctx.logger.successf('HelmChart source reconciliation completed');
      const artifact = ready.status?.['artifact'] as { revision?: string } | undefined;
      if (artifact === undefined)
        throw new Error('HelmChart source reconciliation completed but no artifact was found');
      ctx.logger.successf(`fetched revision: ${artifact.revision ?? ''}`);
    });
}
