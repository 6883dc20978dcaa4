/**
 * The shared integration-test environment (in the spirit of fluxcd/pkg `runtime/testenv`): the in-process API
 * server over HTTPS with Flux's CRDs from deploy/crds, a kubeconfig file for controllers built as `main` builds
 * them, a client with the admin identity, and the namespaces a test asks for. Controllers under test reach it only
 * through HTTP, as they would a real cluster.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer, ApiServerOptions } from '@flux-ts/apiserver';
import { KubeClient, loadKubeConfig } from '@flux-ts/runtime';

/** Flux's generated CRDs (deploy/crds at the repository root). */
export const FLUX_CRDS_DIR = resolve(import.meta.dirname, '../../../deploy/crds');

/** Options of {@link startTestEnv}. */
export interface TestEnvOptions {
  /** Namespaces to create (each ignored when it exists). */
  namespaces?: readonly string[];
  /** Sees every request the API server serves (counts, user agents). */
  onRequest?: ApiServerOptions['onRequest'];
  /** Prefix of the temporary directory (kubeconfig, and whatever the test keeps there). */
  dirPrefix?: string;
  /** Serves `pods/log` (the process runtime's `podLogs`, bound once it runs). */
  podLogs?: ApiServerOptions['podLogs'];
}

/** A running test cluster. */
export interface TestEnv {
  server: ApiServer;
  /** The admin client. */
  client: KubeClient;
  /** A kubeconfig file for the API server (CA inline, admin token). */
  kubeconfigPath: string;
  /** The loaded kubeconfig, as `loadKubeConfig` returns it to a controller. */
  kubeConfig: ReturnType<typeof loadKubeConfig>;
  /** A temporary directory removed by {@link TestEnv.close}. */
  dir: string;
  /** Stops the API server and removes {@link TestEnv.dir}. */
  close(): Promise<void>;
}

/** Starts the API server with Flux's CRDs; see the module comment. */
export async function startTestEnv(opts: TestEnvOptions = {}): Promise<TestEnv> {
  const dir = mkdtempSync(join(tmpdir(), opts.dirPrefix ?? 'flux-ts-testenv-'));
  const server = await startApiServer({
    port: 0,
    crdsDir: FLUX_CRDS_DIR,
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
    ...(opts.podLogs ? { podLogs: opts.podLogs } : {}),
  });
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, server.kubeconfig);
  const kubeConfig = loadKubeConfig({ kubeconfig: kubeconfigPath, env: {} });
  const client = KubeClient.fromKubeConfig(kubeConfig);
  for (const name of opts.namespaces ?? [])
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch((err: unknown) => {
      if ((err as { status?: number }).status !== 409) throw err;
    });
  return {
    server,
    client,
    kubeconfigPath,
    kubeConfig,
    dir,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
