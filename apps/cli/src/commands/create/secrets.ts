import { createHash, randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { upsert } from './apply.ts';
import { collect, createFlags, print, requireName } from './common.ts';
import { exportObject, exportSecret } from './export.ts';
import {
  generateSshKeyPair,
  publicKeyOf,
  type EcdsaCurve,
  type HostKeyScanner,
  type SshKeyAlgorithm,
} from './ssh-keys.ts';

export type { HostKeyScanner } from './ssh-keys.ts';

/** A Secret as flux's `create secret` commands generate it. */
export interface GeneratedSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels?: Readonly<Record<string, string>>;
    annotations?: Record<string, string>;
  };
  stringData: Record<string, string>;
  type?: string;
}

/** The inputs of a Git credentials Secret (fluxcd/flux2 `pkg/manifestgen/sourcesecret`). */
export interface GitSecretOptions {
  readonly name: string;
  readonly namespace: string;
  readonly url: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly username?: string;
  readonly password?: string;
  readonly bearerToken?: string;
  readonly caCrt?: string;
  /** The deprecated `--ca-file`, stored as `caFile`. */
  readonly caFile?: string;
  readonly privateKey?: string;
  readonly keyAlgorithm: SshKeyAlgorithm;
  readonly rsaBits: number;
  readonly ecdsaCurve: EcdsaCurve;
  readonly signal?: AbortSignal;
}

/** Splits an SSH URL's host and port (default 22). */
function sshHostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: u.port === '' ? 22 : Number(u.port) };
}

function secret(
  name: string,
  namespace: string,
  stringData: Record<string, string>,
  labels: Readonly<Record<string, string>> | undefined,
  type?: string,
): GeneratedSecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, ...(labels !== undefined ? { labels } : {}) },
    stringData,
    ...(type !== undefined ? { type } : {}),
  };
}

/**
 * The Git credentials Secret: for SSH an identity (the given key, or a generated one), its public key and the
 * server's known_hosts line; for HTTP(S) basic auth or a bearer token and a CA.
 */
export async function generateGitSecret(opts: GitSecretOptions, scan: HostKeyScanner): Promise<GeneratedSecret> {
  const data: Record<string, string> = {};
  const scheme = new URL(opts.url).protocol.replace(/:$/, '');
  if (scheme === 'ssh') {
    let identity: string;
    let pub: string;
    if (opts.privateKey !== undefined) {
      identity = opts.privateKey;
      pub = publicKeyOf(opts.privateKey, opts.password);
    } else {
      const pair = generateSshKeyPair(opts.keyAlgorithm, opts.rsaBits, opts.ecdsaCurve);
      identity = pair.privateKey;
      pub = pair.publicKey;
    }
    const { host, port } = sshHostPort(opts.url);
    data['identity'] = identity;
    data['identity.pub'] = pub;
    data['known_hosts'] = await scan(host, port, opts.signal ?? new AbortController().signal);
    if (opts.password !== undefined && opts.password !== '') data['password'] = opts.password;
  } else {
    if (opts.username !== undefined && opts.username !== '') data['username'] = opts.username;
    if (opts.password !== undefined && opts.password !== '') data['password'] = opts.password;
    if (opts.bearerToken !== undefined && opts.bearerToken !== '') data['bearerToken'] = opts.bearerToken;
    if (opts.caCrt !== undefined) data['ca.crt'] = opts.caCrt;
    if (opts.caFile !== undefined) data['caFile'] = opts.caFile;
  }
  return secret(opts.name, opts.namespace, data, opts.labels);
}

/** What the secret commands need beyond the context (injected in tests). */
export interface SecretDeps {
  readonly scanHostKey: HostKeyScanner;
  /** Reads a file (relative to the working directory); throws Node's ENOENT error. */
  readonly readFile: (path: string) => string;
}

/** Go's json.Marshal escaping of <, > and & (HTML-safe). */
const goJson = (v: unknown): string =>
  JSON.stringify(v).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);

/** The receiver types of `create secret receiver --type`. */
export const RECEIVER_TYPES = [
  'generic',
  'generic-hmac',
  'github',
  'gitlab',
  'bitbucket',
  'harbor',
  'dockerhub',
  'quay',
  'gcr',
  'nexus',
  'acr',
  'cdevents',
] as const;

/** notification-controller's webhook path: `/hook/` + sha256(token + name + namespace). */
export function webhookPath(token: string, name: string, namespace: string): string {
  return `/hook/${createHash('sha256')
    .update(token + name + namespace)
    .digest('hex')}`;
}

/** Registers `create secret git|helm|oci|tls|proxy|receiver|githubapp|notation`. */
export function registerSecretCommands(create: Command, ctx: CommandContext, deps: SecretDeps): void {
  const group = create.command('secret').description('Create or update Kubernetes secrets');

  const finish = async (
    cmd: Command,
    s: GeneratedSecret,
    printer: (o: GeneratedSecret) => string,
    what: string,
  ): Promise<void> => {
    if (createFlags(cmd).export) return print(ctx, printer(s));
    const globals = ctx.globals(cmd);
    const opts = {
      client: ctx.connect(cmd).client,
      logger: { ...ctx.logger, successf: () => {} },
      signal: ctx.io.signal,
      timeoutMs: globals.timeoutMs,
    };
    await upsert(s, 'Secret', opts);
    ctx.logger.actionf(`${what} '${s.metadata.name}' created in '${s.metadata.namespace}' namespace`);
  };
  const nsOf = (cmd: Command): string => ctx.globals(cmd).namespace;
  const str = (o: Record<string, unknown>, k: string): string => (typeof o[k] === 'string' ? o[k] : '');
  const read = (path: string, what: string): string => {
    try {
      return deps.readFile(path);
    } catch (err) {
      throw new Error(`unable to read ${what}: ${(err as Error).message}`, { cause: err });
    }
  };

  group
    .command('git')
    .argument('[name]')
    .description('Create or update a Kubernetes secret for Git authentication')
    .option('--url <url>', 'git address, e.g. ssh://git@host/org/repository')
    .option('-u, --username <username>', 'basic authentication username')
    .option('-p, --password <password>', 'basic authentication password')
    .option('--bearer-token <token>', 'bearer authentication token')
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
    .option('--ca-crt-file <path>', 'path to TLS CA certificate file used for validating self-signed certificates')
    .option(
      '--private-key-file <path>',
      'path to a passwordless private key file used for authenticating to the Git SSH server',
    )
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const url = str(o, 'url');
      if (url === '') throw new Error('url is required');
      let scheme: string;
      try {
        scheme = new URL(url).protocol.replace(/:$/, '');
      } catch (err) {
        throw new Error(`git URL parse failed: parse "${url}": invalid URI`, { cause: err });
      }
      if (scheme !== 'ssh' && scheme !== 'http' && scheme !== 'https')
        throw new Error(`git URL scheme '${scheme}' not supported, can be: ssh, http and https`);
      if (scheme !== 'ssh') {
        const basic = str(o, 'username') !== '' && str(o, 'password') !== '';
        if (!basic && str(o, 'bearerToken') === '')
          throw new Error('for Git over HTTP/S the username and password, or a bearer token is required');
        if (basic && str(o, 'bearerToken') !== '')
          throw new Error('user credentials and bearer token cannot be used together');
      }
      const rsaBits = Number(o['sshRsaBits']);
      if (!Number.isInteger(rsaBits) || rsaBits < 1024 || rsaBits % 8 !== 0)
        throw new Error('RSA key bit size must be a multiple of 8 and at least 1024');
      const s = await generateGitSecret(
        {
          name: objName,
          namespace: nsOf(cmd),
          url,
          ...(flags.labels !== undefined ? { labels: flags.labels } : {}),
          ...(str(o, 'username') !== '' ? { username: str(o, 'username') } : {}),
          ...(str(o, 'password') !== '' ? { password: str(o, 'password') } : {}),
          ...(str(o, 'bearerToken') !== '' ? { bearerToken: str(o, 'bearerToken') } : {}),
          ...(scheme !== 'ssh' && str(o, 'caCrtFile') !== ''
            ? { caCrt: read(str(o, 'caCrtFile'), 'TLS CA file') }
            : scheme !== 'ssh' && str(o, 'caFile') !== ''
              ? { caFile: read(str(o, 'caFile'), 'TLS CA file') }
              : {}),
          ...(str(o, 'privateKeyFile') !== ''
            ? { privateKey: read(str(o, 'privateKeyFile'), 'private key file') }
            : {}),
          keyAlgorithm: String(o['sshKeyAlgorithm']) as SshKeyAlgorithm,
          rsaBits,
          ecdsaCurve: String(o['sshEcdsaCurve']) as EcdsaCurve,
          signal: ctx.io.signal,
        },
        deps.scanHostKey,
      );
      if (!createFlags(cmd).export && s.stringData['identity.pub'] !== undefined)
        ctx.logger.generatef(`deploy key: ${s.stringData['identity.pub']}`);
      await finish(cmd, s, exportSecret, 'git secret');
    });

  group
    .command('helm')
    .argument('[name]')
    .description('Create or update a Kubernetes secret for Helm repository authentication')
    .option('-u, --username <username>', 'basic authentication username')
    .option('-p, --password <password>', 'basic authentication password')
    .option('--cert-file <path>', 'TLS authentication cert file path')
    .option('--key-file <path>', 'TLS authentication key file path')
    .option('--ca-file <path>', 'TLS authentication CA file path')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      if (name === undefined || name === '') throw new Error('secret name is required');
      const flags = createFlags(cmd);
      const data: Record<string, string> = {};
      if (str(o, 'username') !== '') data['username'] = str(o, 'username');
      if (str(o, 'password') !== '') data['password'] = str(o, 'password');
      if (str(o, 'certFile') !== '') data['certFile'] = read(str(o, 'certFile'), 'cert file');
      if (str(o, 'keyFile') !== '') data['keyFile'] = read(str(o, 'keyFile'), 'key file');
      if (str(o, 'caFile') !== '') data['caFile'] = read(str(o, 'caFile'), 'CA file');
      await finish(cmd, secret(name, nsOf(cmd), data, flags.labels), exportSecret, 'helm secret');
    });

  group
    .command('oci')
    .argument('[name]')
    .description('Create or update a Kubernetes image pull secret')
    .option('--url <url>', 'oci repository address e.g ghcr.io/stefanprodan/charts')
    .option('-u, --username <username>', 'basic authentication username')
    .option('-p, --password <password>', 'basic authentication password')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const url = str(o, 'url');
      if (url === '') throw new Error('--url is required');
      if (str(o, 'username') === '') throw new Error('--username is required');
      if (str(o, 'password') === '') throw new Error('--password is required');
      const auth = Buffer.from(`${str(o, 'username')}:${str(o, 'password')}`).toString('base64');
      const cfg = goJson({ auths: { [url]: { username: str(o, 'username'), password: str(o, 'password'), auth } } });
      const s = secret(
        objName,
        nsOf(cmd),
        { '.dockerconfigjson': cfg },
        flags.labels,
        'kubernetes.io/dockerconfigjson',
      );
      await finish(cmd, s, exportSecret, 'oci secret');
    });

  group
    .command('tls')
    .argument('[name]')
    .description('Create or update a Kubernetes secret with TLS certificates')
    .option('--tls-crt-file <path>', 'TLS authentication cert file path')
    .option('--tls-key-file <path>', 'TLS authentication key file path')
    .option('--ca-crt-file <path>', 'TLS authentication CA file path')
    .option('--cert-file <path>', 'TLS authentication cert file path (deprecated, use --tls-crt-file)')
    .option('--key-file <path>', 'TLS authentication key file path (deprecated, use --tls-key-file)')
    .option('--ca-file <path>', 'TLS authentication CA file path (deprecated, use --ca-crt-file)')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const deprecated = str(o, 'certFile') !== '' || str(o, 'keyFile') !== '' || str(o, 'caFile') !== '';
      const data: Record<string, string> = {};
      if (deprecated) {
        if (str(o, 'certFile') !== '') data['certFile'] = read(str(o, 'certFile'), 'cert file');
        if (str(o, 'keyFile') !== '') data['keyFile'] = read(str(o, 'keyFile'), 'key file');
        if (str(o, 'caFile') !== '') data['caFile'] = read(str(o, 'caFile'), 'CA file');
        return finish(cmd, secret(objName, nsOf(cmd), data, flags.labels), exportObject, 'tls secret');
      }
      if (str(o, 'tlsCrtFile') !== '') data['tls.crt'] = read(str(o, 'tlsCrtFile'), 'cert file');
      if (str(o, 'tlsKeyFile') !== '') data['tls.key'] = read(str(o, 'tlsKeyFile'), 'key file');
      if (str(o, 'caCrtFile') !== '') data['ca.crt'] = read(str(o, 'caCrtFile'), 'CA file');
      await finish(
        cmd,
        secret(objName, nsOf(cmd), data, flags.labels, 'kubernetes.io/tls'),
        exportObject,
        'tls secret',
      );
    });

  group
    .command('proxy')
    .argument('[name]')
    .description('Create or update a Kubernetes secret for proxy authentication')
    .option('--address <address>', 'proxy address')
    .option('-u, --username <username>', 'basic authentication username')
    .option('-p, --password <password>', 'basic authentication password')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      if (str(o, 'address') === '') throw new Error('address is required');
      const data: Record<string, string> = { address: str(o, 'address') };
      if (str(o, 'username') !== '') data['username'] = str(o, 'username');
      if (str(o, 'password') !== '') data['password'] = str(o, 'password');
      await finish(cmd, secret(objName, nsOf(cmd), data, flags.labels, 'Opaque'), exportSecret, 'proxy secret');
    });

  group
    .command('receiver')
    .argument('[name]')
    .description('Create or update a Kubernetes secret for a Receiver webhook')
    .option('--type <type>', `the receiver type, must be one of: ${RECEIVER_TYPES.join(', ')}`)
    .option('--token <token>', 'the token used to authenticate the webhook, generated when not set')
    .option('--hostname <hostname>', 'the hostname of the webhook receiver, used to compute the webhook URL')
    .option('--email-claim <email>', 'the service account email expected in the GCR JWT (gcr only)')
    .option(
      '--audience-claim <audience>',
      'the audience expected in the GCR JWT, defaults to the webhook URL (gcr only)',
    )
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const type = str(o, 'type');
      if (type === '') throw new Error('--type is required');
      if (!(RECEIVER_TYPES as readonly string[]).includes(type))
        throw new Error(
          `invalid argument "${type}" for "--type" flag: receiver type '${type}' is not supported, must be one of: ${RECEIVER_TYPES.join(', ')}`,
        );
      if (str(o, 'hostname') === '') throw new Error('--hostname is required');
      if (type === 'gcr' && str(o, 'emailClaim') === '')
        throw new Error('--email-claim is required for gcr receiver type');
      const token = str(o, 'token') !== '' ? str(o, 'token') : randomBytes(16).toString('hex');
      const ns = nsOf(cmd);
      const url = `https://${str(o, 'hostname')}${webhookPath(token, objName, ns)}`;
      const data: Record<string, string> = { token };
      if (type === 'gcr') {
        data['email'] = str(o, 'emailClaim');
        data['audience'] = str(o, 'audienceClaim') !== '' ? str(o, 'audienceClaim') : url;
      }
      const s = secret(objName, ns, data, flags.labels);
      s.metadata.annotations = { 'notification.toolkit.fluxcd.io/webhook': url };
      await finish(cmd, s, exportSecret, 'receiver secret');
    });

  group
    .command('githubapp')
    .argument('[name]')
    .description('Create or update a Kubernetes secret for GitHub App authentication')
    .option('--app-id <id>', 'github app ID')
    .option('--app-installation-id <id>', 'github app installation ID')
    .option('--app-private-key <path>', 'github app private key file path')
    .option('--app-base-url <url>', 'github app base URL')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      if (str(o, 'appId') === '') throw new Error('--app-id is required');
      if (str(o, 'appInstallationId') === '') throw new Error('--app-installation-id is required');
      if (str(o, 'appPrivateKey') === '') throw new Error('--app-private-key is required');
      let key: string;
      try {
        key = deps.readFile(str(o, 'appPrivateKey'));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const reason = e.code === 'ENOENT' ? 'no such file or directory' : e.message;
        throw new Error(`unable to read private key file: open ${str(o, 'appPrivateKey')}: ${reason}`, { cause: err });
      }
      const data: Record<string, string> = {
        githubAppID: str(o, 'appId'),
        githubAppInstallationID: str(o, 'appInstallationId'),
        githubAppPrivateKey: key,
      };
      if (str(o, 'appBaseUrl') !== '') data['githubAppBaseURL'] = str(o, 'appBaseUrl');
      await finish(cmd, secret(objName, nsOf(cmd), data, flags.labels), exportSecret, 'secret');
    });

  group
    .command('notation')
    .argument('[name]')
    .description('Create or update a Kubernetes secret for verification of artifacts signed by Notation')
    .option('--trust-policy-file <path>', 'notation trust policy file path')
    .option(
      '--ca-cert-file <path>',
      'path to a certificate that will be used to verify the signature (repeatable)',
      collect,
    )
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const cas = Array.isArray(o['caCertFile']) ? (o['caCertFile'] as string[]) : [];
      if (cas.length === 0) throw new Error('no CA certificate(s) provided');
      if (str(o, 'trustPolicyFile') === '') throw new Error('no trust policy provided');
      const policy = read(str(o, 'trustPolicyFile'), 'trust policy file');
      try {
        JSON.parse(policy);
      } catch (err) {
        throw new Error(`failed to unmarshal trust policy ${str(o, 'trustPolicyFile')}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const data: Record<string, string> = { 'trustpolicy.json': policy };
      for (const path of cas) {
        const base = path.split('/').pop() ?? path;
        data[base.endsWith('.crt') || base.endsWith('.pem') ? base : `${base}.crt`] = read(path, 'CA certificate');
      }
      await finish(cmd, secret(objName, nsOf(cmd), data, flags.labels), exportSecret, 'notation configuration secret');
    });
}
