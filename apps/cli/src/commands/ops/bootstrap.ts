/**
 * `bootstrap git` (flux2 `cmd/flux/bootstrap_git.go` and `pkg/bootstrap` `PlainGitBootstrapper`): clone the branch,
 * commit `gotk-components.yaml`, install, apply the auth Secret, commit `gotk-sync.yaml` and `kustomization.yaml`,
 * apply them, and wait until the cluster has reconciled the pushed commit.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import git from 'isomorphic-git';
import { parseAllDocuments } from 'yaml';
import { cloneWorktree, commitAll, listRefs, pushBranch, redact } from '@flux-ts/git';
import type { GitAuth } from '@flux-ts/git';
import { errMessage, isNotFound, parseGoDuration } from '@flux-ts/runtime';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { generateGitSecret } from '../create/secrets.ts';
import type { GeneratedSecret, HostKeyScanner } from '../create/secrets.ts';
import { scanHostKey } from '../create/ssh-keys.ts';
import type { EcdsaCurve, SshKeyAlgorithm } from '../create/ssh-keys.ts';
import { confirm } from '../read/delete.ts';
import { collect, DISTRIBUTION_VERSION, generateInstall } from './components.ts';
import {
  addInstallFlags,
  componentRefs,
  FLUX_FIELD_MANAGER,
  installComponents,
  installOptionsOf,
  selectedComponents,
} from './install.ts';
import type { InstallFlags } from './install.ts';
import { defaultSyncOptions, generateKustomization, generateSync } from './manifestgen.ts';
import { assessReady, commandSignal, POLL_MS } from './wait.ts';
import type { FluxObject } from './wait.ts';

/** The flags of `bootstrap git`. */
export interface BootstrapGitFlags extends InstallFlags {
  url?: string;
  branch: string;
  path: string;
  username?: string;
  password?: string;
  privateKeyFile?: string;
  tokenAuth: boolean;
  caFile?: string;
  sshKeyAlgorithm: SshKeyAlgorithm;
  sshRsaBits: string;
  sshEcdsaCurve: EcdsaCurve;
  silent: boolean;
  interval: string;
  allowInsecureHttp: boolean;
  authorName: string;
  authorEmail: string;
  commitMessageAppendix?: string;
  secretName: string;
  components?: string[];
  componentsExtra?: string[];
}

const GIT_REPOSITORY = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KUSTOMIZATION = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

/** The scanner of the SSH server's host key and the deploy key confirmation (injected in tests). */
export interface BootstrapDeps {
  readonly scanHostKey: HostKeyScanner;
}

/** The git credentials for the clone and push, and the auth Secret to apply (undefined: keep the existing one). */
interface Credentials {
  readonly auth: GitAuth | undefined;
  readonly secret: GeneratedSecret | undefined;
  /** The Secret was generated (and its public key confirmed) before the clone. */
  readonly announced: boolean;
}

/** flux's `promptPublicKey`: prints the deploy key and, unless `--silent`, asks for a confirmation. */
async function promptPublicKey(
  ctx: CommandContext,
  secret: GeneratedSecret,
  silent: boolean,
  signal: AbortSignal,
): Promise<void> {
  const ppk = secret.stringData['identity.pub'];
  if (ppk === undefined) return;
  ctx.logger.successf(`public key: ${ppk.trim()}`);
  if (!silent && !(await confirm(ctx, 'Please give the key access to your repository', signal)))
    throw new Error('aborting');
}

/** The `identity` and `known_hosts` of an existing auth Secret, or undefined. */
async function existingIdentity(
  client: KubeClient,
  key: { namespace: string; name: string },
  signal: AbortSignal,
): Promise<GitAuth | undefined> {
  try {
    const s = await client.get<KubeObject & { data?: Record<string, string> }>(
      { apiVersion: 'v1', kind: 'Secret' },
      key,
      { signal },
    );
    const d = (k: string) => (s.data?.[k] !== undefined ? Buffer.from(s.data[k], 'base64').toString() : undefined);
    const identity = d('identity');
    const knownHosts = d('known_hosts');
    if (identity === undefined || knownHosts === undefined) return undefined;
    const password = d('password');
    return { identity, knownHosts, ...(password !== undefined ? { password } : {}) };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(`failed to determine if deploy key secret exists: ${errMessage(err)}`, { cause: err });
  }
}

/**
 * The git credentials of the flags and the auth Secret flux's `sourcesecret.Generate` writes from them. For SSH the
 * private key of `--private-key-file`, or a deploy key generated as flux does (`--ssh-key-algorithm` …), printed and
 * confirmed before the clone (flux clones with the SSH agent, which flux-ts does not use: the deploy key must be
 * able to push); when the Secret exists already, its key. For HTTP(S) basic auth (`--token-auth`, or a password),
 * with `--ca-file`'s CA.
 */
async function credentials(
  ctx: CommandContext,
  flags: BootstrapGitFlags,
  names: { secret: string; namespace: string },
  client: KubeClient,
  deps: BootstrapDeps,
  signal: AbortSignal,
): Promise<Credentials> {
  const url = flags.url ?? '';
  const ssh = new URL(url).protocol === 'ssh:';
  let knownHosts: string | undefined;
  const scan: HostKeyScanner = async (host, port, s) => (knownHosts ??= await deps.scanHostKey(host, port, s));
  const password = flags.password !== undefined && flags.password !== '' ? flags.password : undefined;
  const base = {
    name: names.secret,
    namespace: names.namespace,
    url,
    keyAlgorithm: flags.sshKeyAlgorithm,
    rsaBits: rsaBitsOf(flags.sshRsaBits),
    ecdsaCurve: flags.sshEcdsaCurve,
    signal,
  };
  if (ssh && !flags.tokenAuth) {
    if (flags.privateKeyFile !== undefined && flags.privateKeyFile !== '') {
      const privateKey = readFileSync(flags.privateKeyFile, 'utf8');
      const secret = await generateGitSecret({ ...base, privateKey, ...(password ? { password } : {}) }, scan);
      return {
        auth: { identity: privateKey, ...(knownHosts ? { knownHosts } : {}), ...(password ? { password } : {}) },
        secret,
        announced: false,
      };
    }
    const existing = await existingIdentity(client, { namespace: names.namespace, name: names.secret }, signal);
    if (existing !== undefined) return { auth: existing, secret: undefined, announced: false };
    ctx.logger.actionf('generating source secret');
    const secret = await generateGitSecret(base, scan);
    await promptPublicKey(ctx, secret, flags.silent, signal);
    const identity = secret.stringData['identity'] ?? '';
    return { auth: { identity, ...(knownHosts ? { knownHosts } : {}) }, secret, announced: true };
  }
  const caCrt = flags.caFile !== undefined && flags.caFile !== '' ? readCaFile(flags.caFile) : undefined;
  const basic = flags.tokenAuth || password !== undefined;
  const username = flags.username ?? 'git';
  const secret = await generateGitSecret(
    {
      ...base,
      ...(basic ? { username, ...(password ? { password } : {}) } : {}),
      ...(caCrt !== undefined ? { caCrt } : {}),
    },
    scan,
  );
  const auth: GitAuth = {
    ...(basic ? { username, ...(password ? { password } : {}) } : {}),
    ...(caCrt !== undefined ? { caCert: caCrt } : {}),
  };
  return { auth: Object.keys(auth).length > 0 ? auth : undefined, secret, announced: false };
}

/** flux's `--ssh-rsa-bits` check. */
function rsaBitsOf(v: string): number {
  const bits = Number(v);
  if (!Number.isInteger(bits) || bits < 1024 || bits % 8 !== 0)
    throw new Error('RSA key bit size must be a multiple of 8 and at least 1024');
  return bits;
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`unable to read TLS CA file: ${errMessage(err)}`, { cause: err });
  }
}

/** flux's `readPasswordFromStdin`: the first line of stdin, after the prompt on stdout; EOF before it fails. */
async function readPassword(ctx: CommandContext, prompt: string, signal: AbortSignal): Promise<string> {
  ctx.io.stdout.write(prompt);
  const rl = createInterface({ input: ctx.io.stdin, terminal: false, signal });
  try {
    for await (const line of rl) {
      ctx.io.stdout.write('\n');
      return line.replace(/\r$/, '');
    }
  } finally {
    rl.close();
  }
  throw new Error('could not read from stdin: EOF');
}

/** Clones `branch`, or starts it in an empty repository (as go-git's clone of an empty remote). */
async function cloneBranch(dir: string, url: string, branch: string, auth: GitAuth | undefined, signal: AbortSignal) {
  const refs = await listRefs({ url, ...(auth ? { auth } : {}), signal });
  if (refs.some((r) => r.ref === `refs/heads/${branch}`)) {
    await cloneWorktree({ url, auth, dir, ref: { branch }, signal });
    return;
  }
  if (refs.some((r) => r.ref.startsWith('refs/heads/')))
    throw new Error(`couldn't find remote ref "refs/heads/${branch}"`);
  mkdirSync(dir, { recursive: true });
  await git.init({ fs, dir, defaultBranch: branch });
  await git.setConfig({ fs, dir, path: 'remote.origin.url', value: url });
}

/** Runs `flux bootstrap git`. */
export async function bootstrapGit(
  ctx: CommandContext,
  cmd: Command,
  flags: BootstrapGitFlags,
  deps: BootstrapDeps = { scanHostKey },
): Promise<void> {
  const globals = ctx.globals(cmd);
  const { logger } = ctx;
  if (flags.url === undefined || flags.url === '') throw new Error('required flag(s) "url" not set');
  const url = new URL(flags.url);
  if (url.protocol === 'http:' && !flags.allowInsecureHttp)
    throw new Error('scheme http is insecure, pass --allow-insecure-http=true to allow it');
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ssh:')
    throw new Error(`scheme ${url.protocol.replace(/:$/, '')} is not supported`);
  const components = selectedComponents(flags);
  const namespace = globals.namespace;
  const shownUrl = redact(flags.url);
  const signal = commandSignal(ctx.io.signal, globals.timeoutMs);
  const wait = { timeoutMs: globals.timeoutMs, signal };
  const { client } = ctx.connect(cmd);
  const envPassword = ctx.io.env['GIT_PASSWORD'];
  if ((flags.password === undefined || flags.password === '') && envPassword !== undefined && envPassword !== '')
    flags.password = envPassword;
  if (flags.tokenAuth && (flags.password === undefined || flags.password === '')) {
    try {
      flags.password = await readPassword(ctx, 'Please enter your Git repository password: ', signal);
    } catch (err) {
      throw new Error(`could not read token: ${errMessage(err)}`, { cause: err });
    }
  }
  const { auth, secret, announced } = await credentials(
    ctx,
    flags,
    { secret: flags.secretName, namespace },
    client,
    deps,
    signal,
  );
  const author = { name: flags.authorName, email: flags.authorEmail };
  const message = (m: string) => (flags.commitMessageAppendix ? `${m}\n\n${flags.commitMessageAppendix}` : m);
  const target = flags.path.replace(/^\.\//, '').replace(/\/+$/, '');
  const push = (dir: string) => pushBranch({ url: flags.url ?? '', auth, dir, ref: flags.branch, signal });

  const dir = mkdtempSync(join(tmpdir(), `${namespace}-`));
  try {
    logger.actionf(`cloning branch "${flags.branch}" from Git repository "${shownUrl}"`);
    try {
      await cloneBranch(dir, flags.url, flags.branch, auth, signal);
    } catch (err) {
      throw new Error(`failed to clone repository: ${errMessage(err)}`, { cause: err });
    }
    logger.successf('cloned repository');

    // Components.
    logger.actionf('generating component manifests');
    const install = await generateInstall({ components, namespace, ...installOptionsOf(flags) });
    const componentsPath = join(target, namespace, 'gotk-components.yaml');
    writeFile(dir, componentsPath, install.content);
    logger.successf('generated component manifests');
    const c1 = await commitAll({
      dir,
      author,
      message: message(`Add Flux ${DISTRIBUTION_VERSION} component manifests`),
    });
    if (c1 !== undefined) {
      logger.successf(`committed component manifests to "${flags.branch}" ("${c1}")`);
      logger.actionf(`pushing component manifests to "${shownUrl}"`);
      await push(dir).catch((err: unknown) => {
        throw new Error(`failed to push manifests: ${errMessage(err)}`, { cause: err });
      });
    } else logger.successf('component manifests are up to date');
    if (await mustInstallManifests(client, namespace, signal)) {
      logger.actionf(`installing components in "${namespace}" namespace`);
      await installComponents(client, install.objects, wait);
      logger.successf('installed components');
    }
    logger.successf('reconciled components');

    // Source secret.
    const secretName = flags.secretName;
    logger.actionf(`determining if source secret "${namespace}/${secretName}" exists`);
    const exists = await secretExists(client, namespace, secretName, signal);
    if (secret === undefined || (exists && auth === undefined)) logger.successf('source secret up to date');
    else {
      if (!announced) logger.actionf('generating source secret');
      logger.actionf(`applying source secret "${namespace}/${secretName}"`);
      await client.apply(secret as unknown as KubeObject, { fieldManager: FLUX_FIELD_MANAGER, force: true, signal });
      logger.successf('reconciled source secret');
    }

    // Sync configuration.
    const current = await kustomizationPathDiffers(client, { namespace, name: namespace }, target, signal);
    if (current !== undefined)
      throw new Error(
        `sync path configuration (${JSON.stringify(target)}) would overwrite path (${JSON.stringify(current)}) of existing Kustomization`,
      );
    logger.actionf('generating sync manifests');
    const sync = generateSync({
      ...defaultSyncOptions(),
      url: syncUrl(flags),
      name: namespace,
      namespace,
      branch: flags.branch,
      secret: secretName,
      intervalMs: parseGoDuration(flags.interval),
      targetPath: target,
    });
    writeFile(dir, sync.path, sync.content);
    const kus = generateKustomization(dirname(sync.path), ['gotk-components.yaml', 'gotk-sync.yaml']);
    writeFile(dir, kus.path, kus.content);
    logger.successf('generated sync manifests');
    const c2 = await commitAll({ dir, author, message: message('Add Flux sync manifests') });
    if (c2 !== undefined) {
      logger.successf(`committed sync manifests to "${flags.branch}" ("${c2}")`);
      logger.actionf(`pushing sync manifests to "${shownUrl}"`);
      await push(dir).catch((err: unknown) => {
        throw new Error(`failed to push sync manifests: ${errMessage(err)}`, { cause: err });
      });
    } else logger.successf('sync manifests are up to date');
    logger.actionf('applying sync manifests');
    const syncObjects = parseAllDocuments(sync.content)
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null);
    for (const o of syncObjects) await client.apply(o, { fieldManager: FLUX_FIELD_MANAGER, force: true, signal });
    logger.successf('reconciled sync configuration');

    // Health.
    const head = await git.resolveRef({ fs, dir, ref: 'HEAD' });
    const revision = `${flags.branch}@sha1:${head}`;
    const key = { namespace, name: namespace };
    const errors: string[] = [];
    for (const [gvk, what] of [
      [GIT_REPOSITORY, 'GitRepository'],
      [KUSTOMIZATION, 'Kustomization'],
    ] as const) {
      logger.waitingf(`waiting for ${what} "${namespace}/${namespace}" to be reconciled`);
      try {
        await waitReconciled(client, gvk, key, revision, wait);
        logger.successf(`${what} reconciled successfully`);
      } catch (err) {
        logger.failuref(errMessage(err));
        errors.push(`error while waiting for ${what} to be ready: '${errMessage(err)}'`);
      }
    }
    logger.actionf('confirming components are healthy');
    try {
      await assessReady(client, componentRefs(components, namespace), logger, wait);
      logger.successf('all components are healthy');
    } catch (err) {
      errors.push(errMessage(err));
    }
    if (errors.length > 0)
      throw new Error(
        `bootstrap failed with ${errors.length} health check failure(s): ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sync URL: with `--token-auth` flux drops the user and, unless `--allow-insecure-http`, uses https. */
function syncUrl(flags: BootstrapGitFlags): string {
  const url = flags.url ?? '';
  if (!flags.tokenAuth) return url;
  const u = new URL(url);
  u.username = '';
  u.password = '';
  if (u.protocol !== 'https:' && u.protocol !== 'http:') u.port = '';
  const shown = u.toString();
  return flags.allowInsecureHttp ? shown : shown.replace(/^[a-z+]+:/, 'https:');
}

function writeFile(root: string, path: string, content: string): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

async function secretExists(client: KubeClient, namespace: string, name: string, signal: AbortSignal) {
  try {
    await client.get({ apiVersion: 'v1', kind: 'Secret' }, { namespace, name }, { signal });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw new Error(`failed to determine if deploy key secret exists: ${errMessage(err)}`, { cause: err });
  }
}

type Reconciled = FluxObject & {
  spec?: { suspend?: boolean; path?: string };
  status?: { artifact?: { revision?: string }; lastAttemptedRevision?: string; lastAppliedRevision?: string };
};

/**
 * flux2 `objectReconciled` polled until the timeout: a suspended object or Ready=False ends the wait with an error;
 * done when Ready=True for the current generation at the pushed revision (`status.artifact.revision` of a source,
 * `status.lastAttemptedRevision` of a Kustomization).
 */
async function waitReconciled(
  client: KubeClient,
  gvk: { apiVersion: string; kind: string },
  key: { namespace: string; name: string },
  revision: string,
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const shown = `${key.namespace}/${key.name}`;
  let ready: { status: string; message?: string } | undefined;
  for (;;) {
    const o = await client.get<Reconciled>(gvk, key, { signal: opts.signal }).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (o !== undefined) {
      if (o.spec?.suspend === true) throw new Error(`${gvk.kind} '${shown}' is suspended`);
      const current =
        o.status?.observedGeneration === undefined || o.status.observedGeneration === o.metadata.generation;
      ready = o.status?.conditions?.find((c) => c.type === 'Ready');
      if (current && ready?.status === 'False') throw new Error(ready.message ?? '');
      const rev = gvk.kind === 'Kustomization' ? o.status?.lastAttemptedRevision : o.status?.artifact?.revision;
      if (current && ready?.status === 'True' && rev === revision) return;
    }
    if (Date.now() >= deadline) {
      if (ready !== undefined && ready.status !== 'True')
        throw new Error(`${gvk.kind.toLowerCase()} '${shown}' not ready: '${ready.message ?? ''}'`);
      throw new Error('context deadline exceeded');
    }
    await sleep(POLL_MS, undefined, { signal: opts.signal });
  }
}

/** flux2 `kustomizationPathDiffers`: the path of an existing Kustomization the sync would overwrite, or undefined. */
async function kustomizationPathDiffers(
  client: KubeClient,
  key: { namespace: string; name: string },
  path: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  let k: Reconciled;
  try {
    k = await client.get<Reconciled>(KUSTOMIZATION, key, { signal });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const normalize = (p: string) => `./${(p.length > 2 ? p.replace(/\/$/, '') : p).replace(/^\.\//, '')}`;
  const current = k.spec?.path ?? '';
  return normalize(path) === normalize(current) ? undefined : current;
}

/** flux2 `mustInstallManifests`: install unless the sync Kustomization has applied a revision. */
async function mustInstallManifests(client: KubeClient, namespace: string, signal: AbortSignal): Promise<boolean> {
  try {
    const k = await client.get<Reconciled>(KUSTOMIZATION, { namespace, name: namespace }, { signal });
    return (k.status?.lastAppliedRevision ?? '') === '';
  } catch {
    return true;
  }
}

/** Registers `bootstrap git`. */
export function registerBootstrapCommands(program: Command, ctx: CommandContext): void {
  const bootstrap = program
    .command('bootstrap')
    .summary('Deploy Flux on a cluster the GitOps way.')
    .description(
      'The bootstrap sub-commands push the Flux manifests to a Git repository\nand deploy Flux on the cluster.',
    );
  const cmd = bootstrap
    .command('git')
    .summary('Deploy Flux on a cluster connected to a Git repository')
    .description(
      'The bootstrap git command commits the Flux manifests to the\nbranch of a Git repository. And then it configures the target cluster to synchronize with\nthat repository. If the Flux components are present on the cluster, the bootstrap\ncommand will perform an upgrade if needed.',
    )
    .option('--url <url>', 'Git repository URL')
    .option('--branch <branch>', 'Git branch', 'main')
    .option(
      '--path <path>',
      'path relative to the repository root, when specified the cluster sync will be scoped to this path',
      '',
    )
    .option('-u, --username <username>', 'basic authentication username')
    .option('-p, --password <password>', 'basic authentication password')
    .option('--private-key-file <path>', 'path to a private key file used for authenticating to the Git SSH server')
    .option('--token-auth', 'when enabled, the personal access token will be used instead of the SSH deploy key', false)
    .option('--ca-file <path>', 'path to TLS CA file used for validating self-signed certificates')
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
    .option('-s, --silent', 'assumes the deploy key is already setup, skips confirmation', false)
    .option('--interval <duration>', 'sync interval', '1m0s')
    .option('--allow-insecure-http', 'allows insecure HTTP connections', false)
    .option('--author-name <name>', 'author name for Git commits', 'Flux')
    .option('--author-email <email>', 'author email for Git commits', '')
    .option('--commit-message-appendix <text>', "string to add to the commit messages, e.g. '[ci skip]'")
    .option(
      '--secret-name <name>',
      'name of the secret the sync credentials can be found in or stored to',
      'flux-system',
    )
    .addOption(
      new Option('--components <components>', 'list of components, accepts comma-separated values').argParser(collect),
    )
    .addOption(
      new Option(
        '--components-extra <components>',
        "list of components in addition to those supplied or defaulted, accepts values such as 'image-reflector-controller,image-automation-controller'",
      ).argParser(collect),
    );
  addInstallFlags(cmd).action(async (flags: BootstrapGitFlags) => bootstrapGit(ctx, cmd, flags));
}
