import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Storage, buildArtifactServer } from '@flux-ts/artifact';
import { Cache, Manager, isNotFound } from '@flux-ts/runtime';
import type { EventObject, KubeClient, KubeObject, RecordEvent } from '@flux-ts/runtime';
import { startTestEnv } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { ArtifactGeneratorReconciler } from './reconciler.ts';
import type { ArtifactGeneratorReconcilerOptions } from './reconciler.ts';
import { setupArtifactGeneratorController } from './setup.ts';

/** GVKs the tests read and write. */
export const gitGVK = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;
export const agGVK = { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator' } as const;
export const eaGVK = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'ExternalArtifact' } as const;

/** A status condition. */
export interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** An ArtifactGenerator as the tests read it. */
export type Ag = KubeObject & {
  spec: Record<string, unknown>;
  status?: {
    conditions?: Cond[];
    inventory?: { name: string; namespace: string; digest: string; filename: string }[];
    observedSourcesDigest?: string;
  };
};

/** An ExternalArtifact as the tests read it. */
export type Ea = KubeObject & {
  spec?: { sourceRef?: Record<string, string> };
  status?: {
    artifact?: { path: string; url: string; revision: string; digest: string; metadata?: Record<string, string> };
    conditions?: Cond[];
  };
};

/** The condition of a type. */
export const cond = (o: { status?: { conditions?: Cond[] } }, type = 'Ready'): Cond | undefined =>
  o.status?.conditions?.find((c) => c.type === type);

/** A running API server, one artifact server (sources and generated artifacts) and the source-watcher controller. */
export interface AgHarness {
  env: TestEnv;
  client: KubeClient;
  storage: Storage;
  /** `127.0.0.1:<port>` of the artifact server (the host override of every artifact URL). */
  host: string;
  events: { obj: string; ev: RecordEvent }[];
  /** Stores `files` as a new artifact of GitRepository `ns/name` (created if missing); returns the revision. */
  publish(ns: string, name: string, files: Record<string, string>): Promise<string>;
  createGenerator(ns: string, name: string, spec: Record<string, unknown>): Promise<void>;
  getGenerator(ns: string, name: string): Promise<Ag>;
  getEa(ns: string, name: string): Promise<Ea>;
  close(): Promise<void>;
}

/** Starts the cluster, the artifact server and the ArtifactGenerator controller, as a cluster would run them. */
export async function startAgHarness(
  opts: { namespaces: readonly string[]; reconciler?: Partial<ArtifactGeneratorReconcilerOptions> } = {
    namespaces: [],
  },
): Promise<AgHarness> {
  const events: { obj: string; ev: RecordEvent }[] = [];
  const env = await startTestEnv({ namespaces: ['flux-system', ...opts.namespaces], dirPrefix: 'sw-harness-' });
  const { client } = env;
  const storageDir = await mkdtemp(join(tmpdir(), 'sw-storage-'));
  // one storage for the sources' artifacts and the generated ones: a single host override reaches both
  const storage = new Storage({ basePath: storageDir, hostname: 'source-watcher.flux-system.svc.cluster.local.' });
  const server = await buildArtifactServer({ storage });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const addr = server.server.address();
  const host = `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  const cache = new Cache(client);
  const mgr = new Manager({ client, cache });
  const reconciler = new ArtifactGeneratorReconciler({
    client,
    reader: cache,
    storage,
    requeueDependency: 300,
    httpRetry: 1,
    httpRetryWaitMinMs: 100,
    sourceHostOverride: host,
    recorder: {
      event: async (obj: EventObject, ev: RecordEvent) => {
        events.push({ obj: obj.metadata.name ?? '', ev });
      },
    },
    ...opts.reconciler,
  });
  setupArtifactGeneratorController({
    manager: mgr,
    cache,
    reconciler,
    options: { concurrent: 2, minRetryDelay: 100, maxRetryDelay: 1000 },
  });
  const stop = new AbortController();
  const run = mgr.start(stop.signal);

  return {
    env,
    client,
    storage,
    host,
    events,
    async publish(ns, name, files) {
      const dir = await mkdtemp(join(tmpdir(), 'sw-src-'));
      for (const [p, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, p)), { recursive: true });
        await writeFile(join(dir, p), content);
      }
      const sha = createHash('sha1').update(JSON.stringify(files)).digest('hex');
      const revision = `main@sha1:${sha}`;
      const stored = await storage.archive(
        storage.artifactFor('GitRepository', ns, name, revision, `${sha}.tar.gz`),
        dir,
      );
      await rm(dir, { recursive: true, force: true });
      try {
        await client.get(gitGVK, { namespace: ns, name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await client.create({
          ...gitGVK,
          metadata: { name, namespace: ns },
          spec: { interval: '1m', url: `https://example.com/${name}`, ref: { branch: 'main' } },
        });
      }
      await client.patch(
        gitGVK,
        { namespace: ns, name },
        { status: { artifact: { ...stored } } },
        { type: 'merge', subresource: 'status' },
      );
      return revision;
    },
    async createGenerator(ns, name, spec) {
      await client.create({ ...agGVK, metadata: { name, namespace: ns }, spec });
    },
    getGenerator: (ns, name) => client.get<Ag>(agGVK, { namespace: ns, name }),
    getEa: (ns, name) => client.get<Ea>(eaGVK, { namespace: ns, name }),
    async close() {
      stop.abort();
      await run.catch(() => undefined);
      await server.close();
      await env.close();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}
