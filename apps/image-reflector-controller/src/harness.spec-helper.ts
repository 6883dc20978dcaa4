// Test harness of the image-reflector-controller integration tests: the controller process built on a test API
// server, tags pushed to a registry, a fake registry (error answers, 100,000 tags) and a fake ECR endpoint.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { RegistryClient, pushImage } from '@flux-ts/oci';
import type { RegistryClientOptions } from '@flux-ts/oci';
import { newLogger, parseFlags } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { createImageReflectorController } from './controller.ts';
import type { ImageReflectorController } from './controller.ts';
import type { EcrClientConfig } from './registry/ecr-token-cache.ts';
import { imageReflectorControllerFlags } from './flags.ts';

/** A condition as the tests read it. */
export interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** ImageRepository/ImagePolicy as the tests read them. */
export type Obj = KubeObject & {
  spec: Record<string, unknown>;
  status?: {
    conditions?: Cond[];
    observedGeneration?: number;
    lastHandledReconcileAt?: string;
    canonicalImageName?: string;
    observedExclusionList?: string[];
    lastScanResult?: { tagCount: number; scanTime?: string; latestTags?: string[]; revision?: string };
    latestRef?: { name: string; tag: string; digest?: string };
    observedPreviousRef?: { name: string; tag: string; digest?: string };
  };
};

export const repoGVK = { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository' };
export const policyGVK = { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' };

/** Resolves every name to 127.0.0.1 (ECR host names in tests). */
export const loopbackLookup = ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) => {
  if (opts.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

/** Starts the controller against the test API server; stop with the returned function. */
export function startController(
  env: TestEnv,
  opts: { storagePath: string; ecrClientConfig?: EcrClientConfig; extraArgs?: string[] },
): { controller: ImageReflectorController; stop: () => Promise<void> } {
  const config = parseFlags(
    imageReflectorControllerFlags,
    [
      '--storage-path',
      opts.storagePath,
      '--metrics-addr',
      '127.0.0.1:0',
      '--health-addr',
      '127.0.0.1:0',
      ...(opts.extraArgs ?? []),
    ],
    {},
  );
  const controller = createImageReflectorController(config, {
    kubeConfig: env.kubeConfig,
    logger: newLogger({ level: 'silent' }),
    registryLookup: loopbackLookup,
    ...(opts.ecrClientConfig ? { ecrClientConfig: opts.ecrClientConfig } : {}),
  });
  const abort = new AbortController();
  const running = controller.run(abort.signal);
  return {
    controller,
    stop: async () => {
      abort.abort();
      await running.catch(() => undefined);
    },
  };
}

/** Pushes one small artifact under each tag; returns the manifest digest. */
export async function pushTags(
  host: string,
  repo: string,
  tags: readonly string[],
  clientOpts: RegistryClientOptions,
): Promise<string> {
  const client = new RegistryClient(clientOpts);
  try {
    return await pushImage(client, host, repo, tags, `layer of ${repo}`, AbortSignal.timeout(60_000));
  } finally {
    client.close();
  }
}

/** Reads an object until `pick` returns a value. */
export async function waitFor<T>(
  env: TestEnv,
  gvk: { apiVersion: string; kind: string },
  ns: string,
  name: string,
  what: string,
  pick: (o: Obj) => T | undefined,
): Promise<T> {
  return until(`${ns}/${name} ${what}`, async () => {
    const o = await env.client.get<Obj>(gvk, { namespace: ns, name }).catch(() => undefined);
    return o ? pick(o) : undefined;
  });
}

/** The Ready condition once it has `status` and (optionally) `reason`, at the object's generation. */
export function readyIs(status: string, reason?: string): (o: Obj) => Cond | undefined {
  return (o) => {
    const c = o.status?.conditions?.find((x) => x.type === 'Ready');
    if (!c || c.status !== status || (reason !== undefined && c.reason !== reason)) return undefined;
    // kstatus: the verdict counts once the status is of the current generation (the patch lands whole)
    if (status === 'True' && o.status?.observedGeneration !== o.metadata.generation) return undefined;
    return c;
  };
}

/** A loopback HTTP server answering with a handler; `url` is `127.0.0.1:<port>`. */
export async function startHttp(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ host: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
