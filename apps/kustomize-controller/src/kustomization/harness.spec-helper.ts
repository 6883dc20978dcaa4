import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ApiServer } from '@flux-ts/apiserver';
import { Storage, buildArtifactServer } from '@flux-ts/artifact';
import { Cache, Manager, isNotFound } from '@flux-ts/runtime';
import { startTestEnv } from '@flux-ts/testing';
import type { EventObject, KubeClient, KubeObject, Logger, RecordEvent } from '@flux-ts/runtime';
import { KustomizationReconciler } from './reconciler.ts';
import type { KustomizationReconcilerOptions } from './reconciler.ts';
import { setupKustomizationController } from './setup.ts';

/** The Kustomization GVK. */
export const ksGVK = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
const gitGVK = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
/** The namespace the harness's Flux objects live in. */
export const NS = 'flux-system';

/** A status condition. */
export interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
}
/** A Kustomization as the tests read it. */
export type Ks = KubeObject & {
  spec: Record<string, unknown>;
  status?: {
    conditions?: Cond[];
    inventory?: { entries: { id: string; v: string }[] };
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    lastHandledReconcileAt?: string;
    observedGeneration?: number;
    history?: {
      digest: string;
      firstReconciled: string;
      lastReconciled: string;
      lastReconciledDuration: string;
      lastReconciledStatus: string;
      totalReconciliations: number;
      metadata?: Record<string, string>;
    }[];
  };
};

/** Polls until a level is reached (re-exported for the specs that use this harness). */
export { until } from '@flux-ts/testing';

/** The Ready condition of a Kustomization. */
export const ready = (k: Ks): Cond | undefined => k.status?.conditions?.find((c) => c.type === 'Ready');

/** A running API server, artifact server and Kustomization controller, with helpers to drive them. */
export interface KsHarness {
  server: ApiServer;
  client: KubeClient;
  /** Non-dry-run writes seen by the API server (`METHOD /path`). */
  writes: string[];
  events: { obj: string; ev: RecordEvent }[];
  /** Stores `files` as a new artifact of GitRepository `name` (created if missing) and returns the revision. */
  publish(name: string, files: Record<string, string>): Promise<string>;
  /** Creates a Kustomization sourced from the GitRepository of the same name. */
  createKs(name: string, spec: Record<string, unknown>): Promise<void>;
  getKs(name: string): Promise<Ks>;
  close(): Promise<void>;
}

/** Options of {@link startKsHarness}. */
export interface KsHarnessOptions {
  /** Namespaces to create besides flux-system. */
  namespaces?: readonly string[];
  /** Reconciler options over the harness's (fast retries, the artifact host override, the event recorder). */
  reconciler?: Partial<KustomizationReconcilerOptions>;
  /** The manager's logger (e.g. one that keeps the lines, to assert what is logged). */
  logger?: Logger;
  /** Runs once the cluster is up and before the controller starts (Secrets the reconciler reads at start, …). */
  before?: (client: KubeClient) => Promise<void>;
}

/** Starts the API server (with the CRDs), an artifact server and the controller, as a cluster would run them. */
export async function startKsHarness(opts: KsHarnessOptions = {}): Promise<KsHarness> {
  const namespaces = opts.namespaces ?? [];
  const writes: string[] = [];
  const events: { obj: string; ev: RecordEvent }[] = [];
  const env = await startTestEnv({
    namespaces: [NS, ...namespaces],
    dirPrefix: 'ks-harness-',
    onRequest: (e) => {
      if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(e.method) && !e.url.includes('dryRun=All'))
        writes.push(`${e.method} ${e.url.split('?')[0]}`);
    },
  });
  const { server, client } = env;
  await opts.before?.(client);

  const storageDir = await mkdtemp(join(tmpdir(), 'ks-storage-'));
  const storage = new Storage({ basePath: storageDir, hostname: 'source-controller.flux-system.svc.cluster.local.' });
  const artifactServer = await buildArtifactServer({ storage });
  await artifactServer.listen({ host: '127.0.0.1', port: 0 });
  const addr = artifactServer.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  const cache = new Cache(client);
  const mgr = new Manager({ client, cache, ...(opts.logger ? { logger: opts.logger } : {}) });
  const reconciler = new KustomizationReconciler({
    client,
    requeueDependency: 300,
    httpRetry: 1,
    httpRetryWaitMinMs: 100,
    sourceHostOverride: `127.0.0.1:${port}`,
    pollInterval: 200,
    recorder: {
      event: async (obj: EventObject, ev: RecordEvent) => {
        events.push({ obj: obj.metadata.name ?? '', ev });
      },
    },
    ...opts.reconciler,
  });
  setupKustomizationController({
    manager: mgr,
    cache,
    reconciler,
    options: { concurrent: 2, minRetryDelay: 100, maxRetryDelay: 1000 },
    watchConfigsLabelSelector: 'reconcile.fluxcd.io/watch=Enabled',
  });
  const stop = new AbortController();
  const run = mgr.start(stop.signal);

  return {
    server,
    client,
    writes,
    events,
    async publish(name, files) {
      const dir = await mkdtemp(join(tmpdir(), 'ks-src-'));
      for (const [p, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, p)), { recursive: true });
        await writeFile(join(dir, p), content);
      }
      const sha = createHash('sha1').update(JSON.stringify(files)).digest('hex');
      const revision = `main@sha1:${sha}`;
      const stored = await storage.archive(
        storage.artifactFor('GitRepository', NS, name, revision, `${sha}.tar.gz`),
        dir,
      );
      await rm(dir, { recursive: true, force: true });
      try {
        await client.get(gitGVK, { namespace: NS, name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await client.create({
          ...gitGVK,
          metadata: { name, namespace: NS },
          spec: { interval: '1m', url: `https://example.com/${name}`, ref: { branch: 'main' } },
        });
      }
      await client.patch(
        gitGVK,
        { namespace: NS, name },
        { status: { artifact: { ...stored } } },
        { type: 'merge', subresource: 'status' },
      );
      return revision;
    },
    async createKs(name, spec) {
      await client.create({
        ...ksGVK,
        metadata: { name, namespace: NS },
        spec: {
          interval: '10m',
          retryInterval: '1s',
          prune: true,
          sourceRef: { kind: 'GitRepository', name },
          ...spec,
        },
      });
    },
    getKs: (name) => client.get<Ks>(ksGVK, { namespace: NS, name }),
    async close() {
      stop.abort();
      await run.catch(() => undefined);
      await artifactServer.close();
      await env.close();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}
