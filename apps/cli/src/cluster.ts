import { KubeClient, loadKubeConfig } from '@flux-ts/runtime';
import type { GlobalOptions } from './globals.ts';
import type { CliIO } from './io.ts';

/** A connection to the cluster the global flags name (kubectl's precedence: `--kubeconfig`, `KUBECONFIG`, in-cluster, `~/.kube/config`). */
export interface Cluster {
  /** The typed client for the selected context. */
  readonly client: KubeClient;
  /** The kubeconfig, with `--context` applied. */
  readonly kubeConfig: ReturnType<typeof loadKubeConfig>;
}

/** Opens the cluster named by `--kubeconfig`/`--context`; nothing is sent until the first request. */
export function connectCluster(globals: GlobalOptions, io: Pick<CliIO, 'env'>): Cluster {
  const kubeConfig = loadKubeConfig({
    ...(globals.kubeconfig !== undefined ? { kubeconfig: globals.kubeconfig } : {}),
    env: io.env,
  });
  if (globals.context !== undefined) {
    if (kubeConfig.getContextObject(globals.context) === null) {
      throw new Error(`context "${globals.context}" does not exist`);
    }
    kubeConfig.setCurrentContext(globals.context);
  }
  // A CLI is one user at a keyboard: no client-side rate limit, as flux's (QPS/burst raised by kube-api-qps flags).
  const client = KubeClient.fromKubeConfig(kubeConfig, { qps: 0, userAgent: 'flux-ts-cli' });
  return { client, kubeConfig };
}
