/**
 * Integration harness: the shared test environment of @flux-ts/testing (the API server with Flux's CRDs) and a
 * source-controller built by
 * `createSourceController` exactly as `main` builds it, talking HTTP to the API server.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ApiServer, RequestLogEntry } from '@flux-ts/apiserver';
import { SourceGroupVersion } from '@flux-ts/api';
import type { GitRepository } from '@flux-ts/api';
import { isNotFound, newLogger, parseFlags } from '@flux-ts/runtime';
import { startTestEnv, until } from '@flux-ts/testing';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import { createSourceController } from '../controller.ts';
import type { SourceController } from '../controller.ts';
import { sourceControllerFlags } from '../flags.ts';

/** A GitRepository as read back from the API server. */
export type GitRepo = GitRepository & KubeObject;

/** A running API server plus source-controller. */
export interface Harness {
  server: ApiServer;
  client: KubeClient;
  controller: SourceController;
  storagePath: string;
  storageURL: string;
  dir: string;
  /** Every log line the controller wrote (debug level). */
  logs(): string;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Polls a level until it holds (re-exported for the specs that use this harness). */
export { until } from '@flux-ts/testing';

/** Starts the API server and the controller (leader, serving artifacts). */
export async function startHarness(
  extraArgs: string[] = [],
  opts: { onRequest?: (e: RequestLogEntry) => void } = {},
): Promise<Harness> {
  const env = await startTestEnv({
    dirPrefix: 'flux-ts-source-int-',
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
  });
  const { dir, kubeconfigPath, server } = env;
  const port = await freePort();
  const storagePath = join(dir, 'storage');
  const config = parseFlags(
    sourceControllerFlags,
    [
      `--kubeconfig=${kubeconfigPath}`,
      `--storage-path=${storagePath}`,
      `--storage-addr=127.0.0.1:${port}`,
      `--storage-adv-addr=127.0.0.1:${port}`,
      '--metrics-addr=127.0.0.1:0',
      '--health-addr=127.0.0.1:0',
      '--concurrent=4',
      '--requeue-dependency=1s',
      '--min-retry-delay=250ms',
      '--max-retry-delay=3s',
      ...extraArgs,
    ],
    {},
  );
  const kubeConfig = env.kubeConfig;
  let logs = '';
  const echo = process.env['FLUX_TS_TEST_LOG'] === '1';
  const logger = newLogger({
    level: 'debug',
    destination: {
      write: (line: string) => {
        logs += line;
        if (echo) process.stdout.write(line);
      },
    },
  });
  const controller = await createSourceController(config, { kubeConfig, logger, hostname: 'test', tmpDir: dir });
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  running.catch(() => undefined);
  const bound = await controller.artifactServerAddress();
  return {
    server,
    client: controller.client,
    controller,
    storagePath,
    storageURL: bound.url,
    dir,
    logs: () => logs,
    close: async () => {
      stop.abort();
      await running.catch(() => undefined);
      await env.close();
    },
  };
}

const gitGVK = { apiVersion: SourceGroupVersion, kind: 'GitRepository' };

/** Creates a GitRepository in `default`. */
export async function createGitRepository(
  client: KubeClient,
  name: string,
  spec: Record<string, unknown>,
): Promise<GitRepo> {
  return client.create<GitRepo>({
    ...gitGVK,
    metadata: { name, namespace: 'default' },
    spec: { interval: '10m', ...spec },
  } as unknown as GitRepo);
}

/** Reads a GitRepository from `default`. */
export function getGitRepository(client: KubeClient, name: string): Promise<GitRepo> {
  return client.get<GitRepo>(gitGVK, { namespace: 'default', name });
}

/** True when the GitRepository no longer exists. */
export async function isGone(client: KubeClient, name: string): Promise<boolean> {
  try {
    await getGitRepository(client, name);
    return false;
  } catch (err) {
    return isNotFound(err);
  }
}

/** Merges annotations (e.g. `reconcile.fluxcd.io/requestedAt`) into a GitRepository. */
export async function annotate(client: KubeClient, name: string, annotations: Record<string, string>): Promise<void> {
  await client.patch(gitGVK, { namespace: 'default', name }, { metadata: { annotations } }, { type: 'merge' });
}

/** Merges a spec patch into a GitRepository. */
export async function patchSpec(client: KubeClient, name: string, spec: Record<string, unknown>): Promise<void> {
  await client.patch(gitGVK, { namespace: 'default', name }, { spec }, { type: 'merge' });
}

/** Deletes a GitRepository. */
export async function deleteGitRepository(client: KubeClient, name: string): Promise<void> {
  await client.delete(gitGVK, { namespace: 'default', name });
}

/** Creates an Opaque Secret in `default` from string values. */
export async function createSecret(client: KubeClient, name: string, values: Record<string, string>): Promise<void> {
  await client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  } as KubeObject);
}

/** A condition of an object, if present. */
export function condition(obj: GitRepo, type: string): { status: string; reason: string; message: string } | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** Waits until `check` holds for the GitRepository; the failure names the last status seen. */
export async function waitFor(
  client: KubeClient,
  name: string,
  check: (obj: GitRepo) => boolean,
  what: string,
  timeoutMs?: number,
): Promise<GitRepo> {
  let last: GitRepo | undefined;
  return until(
    () => `${name}: ${what} (last status ${JSON.stringify(last?.status)})`,
    async () => {
      last = await getGitRepository(client, name);
      return check(last) ? last : undefined;
    },
    timeoutMs,
  );
}

/** Ready=True for the current generation. */
export function isReady(obj: GitRepo): boolean {
  return (
    condition(obj, 'Ready')?.status === 'True' && obj.status?.observedGeneration === (obj.metadata.generation ?? 0)
  );
}
