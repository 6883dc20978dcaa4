import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isIPv6 } from 'node:net';
import type { KubeConfig as ClientNodeKubeConfig } from '@kubernetes/client-node';
import { KubeConfig, asClientNodeKubeConfig } from './kube-config.ts';
import type { Env } from './flags.ts';

/** Where Kubernetes mounts the pod's service-account token, CA bundle and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Inputs for {@link loadKubeConfig}; everything the loader looks at is passed in. */
export interface LoadKubeConfigOptions {
  /** Value of `--kubeconfig` (`''` or undefined when not set). */
  readonly kubeconfig?: string;
  /** Process environment (KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT, HOME). */
  readonly env: Env;
  /** Home directory for `~/.kube/config`; defaults to `env.HOME`, then `os.homedir()`. */
  readonly homeDir?: string;
  /** Service-account mount directory; defaults to {@link SERVICE_ACCOUNT_DIR} (overridable for tests). */
  readonly serviceAccountDir?: string;
}

/** Raised when no kubeconfig source yields a configuration; the message lists every source tried. */
export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

function loadFile(path: string, what: string): ClientNodeKubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (err) {
    throw new KubeConfigError(
      // One line: YAML parse errors carry a multi-line code frame after their first line.
      `failed to load kubeconfig from ${what} ${JSON.stringify(path)}: ${firstLine((err as Error).message)}`,
      {
        cause: err,
      },
    );
  }
  return asClientNodeKubeConfig(kc);
}

/**
 * Resolves the Kubernetes client configuration with controller-runtime's precedence — `--kubeconfig`,
 * then `KUBECONFIG` (first existing file of the list), then in-cluster service-account credentials
 * (`KUBERNETES_SERVICE_HOST`/`_PORT` plus the mounted token), then `~/.kube/config` — without contacting
 * the API server.
 * @throws KubeConfigError naming the failing file, or listing every source tried when none applies
 */
export function loadKubeConfig(options: LoadKubeConfigOptions): ClientNodeKubeConfig {
  const { env } = options;
  const tried: string[] = [];

  if (options.kubeconfig !== undefined && options.kubeconfig !== '') {
    return loadFile(options.kubeconfig, '--kubeconfig');
  }
  tried.push('--kubeconfig (not set)');

  const list = env['KUBECONFIG'];
  if (list !== undefined && list !== '') {
    const files = list.split(delimiter).filter((p) => p !== '');
    const found = files.find((p) => existsSync(p));
    if (found !== undefined) return loadFile(found, 'KUBECONFIG');
    tried.push(`KUBECONFIG (none of ${files.map((f) => JSON.stringify(f)).join(', ')} exists)`);
  } else {
    tried.push('KUBECONFIG (not set)');
  }

  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenFile = join(saDir, 'token');
  if (host === undefined || host === '' || port === undefined || port === '') {
    tried.push('in-cluster (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set)');
  } else if (!existsSync(tokenFile)) {
    tried.push(`in-cluster (service account token ${JSON.stringify(tokenFile)} not found)`);
  } else {
    const namespaceFile = join(saDir, 'namespace');
    const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
    const kc = new KubeConfig();
    // Like client-go's rest.InClusterConfig: always https, IPv6 hosts bracketed.
    kc.loadFromOptions({
      clusters: [
        {
          name: 'inCluster',
          server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
          caFile: join(saDir, 'ca.crt'),
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
      contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace }],
      currentContext: 'inClusterContext',
    });
    return asClientNodeKubeConfig(kc);
  }

  const home = options.homeDir ?? env['HOME'] ?? homedir();
  const homeConfig = join(home, '.kube', 'config');
  if (existsSync(homeConfig)) return loadFile(homeConfig, 'home kubeconfig');
  tried.push(`${homeConfig} (not found)`);

  throw new KubeConfigError(`failed to load kubeconfig: no configuration found; tried ${tried.join(', ')}`);
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]?.trim() ?? '';
}
