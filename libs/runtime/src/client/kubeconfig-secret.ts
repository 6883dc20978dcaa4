/**
 * KubeConfig from a Secret (`spec.kubeConfig.secretRef` of Kustomizations and HelmReleases targeting remote
 * clusters). Like Flux, a kubeconfig from a Secret may not run exec/auth-provider plugins or skip TLS
 * verification unless the controller allows it (`--insecure-kubeconfig-exec`, `--insecure-kubeconfig-tls`), and
 * it may not reference files of the controller's filesystem (that would read the controller's own credentials).
 */
import type { KubeConfig as ClientNodeKubeConfig } from '@kubernetes/client-node';
import { KubeConfig, asClientNodeKubeConfig } from '../config/kube-config.ts';
import { parse } from 'yaml';

/** The parts of a Secret a kubeconfig is read from (`data` is base64, as the API returns it). */
export interface SecretLike {
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** Options of {@link kubeConfigFromSecret}. */
export interface KubeconfigSecretOptions {
  /** Key holding the kubeconfig (default: `value`, then `value.yaml`). */
  key?: string;
  /** Allow `exec` and `auth-provider` users (`--insecure-kubeconfig-exec`). */
  allowExec?: boolean;
  /** Allow `insecure-skip-tls-verify` (`--insecure-kubeconfig-tls`). */
  allowInsecureTLS?: boolean;
}

/** Default keys of the kubeconfig in a Secret, in lookup order. */
export const KUBECONFIG_SECRET_KEYS = ['value', 'value.yaml'] as const;

const fileUserKeys = ['token-file', 'tokenFile', 'client-certificate', 'client-key'];
const fileClusterKeys = ['certificate-authority'];

/**
 * Parses and checks the kubeconfig of a Secret.
 * @throws Error naming the Secret and key (never the content) when the key is missing or the kubeconfig is refused
 */
export function kubeConfigFromSecret(secret: SecretLike, opts: KubeconfigSecretOptions = {}): ClientNodeKubeConfig {
  const ref = secret.metadata?.name
    ? `secret '${secret.metadata.namespace ? `${secret.metadata.namespace}/` : ''}${secret.metadata.name}'`
    : 'kubeconfig secret';
  const keys = opts.key ? [opts.key] : [...KUBECONFIG_SECRET_KEYS];
  let text: string | undefined;
  let usedKey = '';
  for (const k of keys) {
    const s = secret.stringData?.[k];
    const d = secret.data?.[k];
    if (s !== undefined) text = s;
    else if (d !== undefined) text = Buffer.from(d, 'base64').toString('utf8');
    if (text !== undefined) {
      usedKey = k;
      break;
    }
  }
  if (text === undefined)
    throw new Error(`failed to read kubeconfig: ${ref} has no key ${keys.map((k) => `'${k}'`).join(' or ')}`);
  const fail = (why: string, cause?: unknown): Error =>
    new Error(
      `failed to load kubeconfig from ${ref} key '${usedKey}': ${why}`,
      cause === undefined ? undefined : { cause },
    );

  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    // YAML errors quote the offending line, which may hold a credential: keep only the position
    const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    throw fail(`invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}`);
  }
  if (typeof raw !== 'object' || raw === null) throw fail('not a kubeconfig document');
  const doc = raw as {
    users?: { name?: string; user?: Record<string, unknown> }[];
    clusters?: { name?: string; cluster?: Record<string, unknown> }[];
  };
  for (const u of doc.users ?? []) {
    const user = u.user ?? {};
    for (const k of fileUserKeys)
      if (user[k] !== undefined) throw fail(`user '${u.name ?? ''}' references a file (${k}), which is not allowed`);
    if (!opts.allowExec && (user['exec'] !== undefined || user['auth-provider'] !== undefined)) {
      throw fail(
        `user '${u.name ?? ''}' uses an exec or auth-provider plugin, which is not allowed (--insecure-kubeconfig-exec)`,
      );
    }
  }
  for (const c of doc.clusters ?? []) {
    const cluster = c.cluster ?? {};
    for (const k of fileClusterKeys)
      if (cluster[k] !== undefined)
        throw fail(`cluster '${c.name ?? ''}' references a file (${k}), which is not allowed`);
    if (!opts.allowInsecureTLS && cluster['insecure-skip-tls-verify'] === true) {
      throw fail(`cluster '${c.name ?? ''}' skips TLS verification, which is not allowed (--insecure-kubeconfig-tls)`);
    }
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch {
    // the loader's message may quote content: report without it
    throw fail('invalid kubeconfig (clusters, users or contexts malformed)');
  }
  if (!kc.getCurrentCluster()) throw fail('no current context with a cluster');
  return asClientNodeKubeConfig(kc);
}
