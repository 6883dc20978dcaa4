import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer } from '@flux-ts/apiserver';
import { KubeClient, isNotFound } from '../client/index.ts';
import type { KubeObject } from '../client/index.ts';
import { Cache } from '../cache/index.ts';
import { controllerBuilder } from '../controller/builder.ts';
import { Manager } from './manager.ts';

/** The demo reconciler copies a ConfigMap's data into this annotation. */
const COPY = 'demo.flux-ts.dev/data';
const cmGVK = { apiVersion: 'v1', kind: 'ConfigMap' };

type ConfigMap = KubeObject & { data?: Record<string, string> };

function serialise(data: Record<string, string> | undefined): string {
  return JSON.stringify(Object.fromEntries(Object.entries(data ?? {}).sort(([a], [b]) => a.localeCompare(b))));
}

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('demo reconciler against the API server', () => {
  let server: ApiServer;
  let client: KubeClient;

  beforeAll(async () => {
    server = await startApiServer({ port: 0 });
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    client = KubeClient.fromKubeConfig(kc);
  });

  afterAll(async () => {
    await server?.close();
  }, 30_000);

  it(
    'converges despite 500s, 409s and watch drops, one run per key at a time, with metrics',
    { timeout: 120_000 },
    async () => {
      const cache = new Cache(client, { labelSelector: 'demo=true' });
      const mgr = new Manager({
        client,
        cache,
        metricsAddr: { host: '127.0.0.1', port: 0 },
        healthAddr: { host: '127.0.0.1', port: 0 },
      });
      const inFlight = new Set<string>();
      let overlaps = 0;
      let runs = 0;
      controllerBuilder(mgr)
        .named('configmap-copier')
        .for(cmGVK)
        .withOptions({ concurrent: 3, minRetryDelay: 10, maxRetryDelay: 300 })
        .complete(async (req, ctx) => {
          const key = `${req.namespace}/${req.name}`;
          if (inFlight.has(key)) overlaps++;
          inFlight.add(key);
          runs++;
          try {
            let cm: ConfigMap;
            try {
              cm = await cache.get<ConfigMap>(cmGVK, req, { signal: ctx.signal });
            } catch (err) {
              if (isNotFound(err)) return;
              throw err;
            }
            const want = serialise(cm.data);
            if (cm.metadata.annotations?.[COPY] === want) return;
            // Update with the cached resourceVersion: a stale cache gets a 409 and the key is retried.
            await client.update<ConfigMap>(
              { ...cm, metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, [COPY]: want } } },
              { signal: ctx.signal },
            );
            ctx.log.info('copied data');
          } finally {
            inFlight.delete(key);
          }
        });

      const stop = new AbortController();
      const run = mgr.start(stop.signal);
      try {
        const names = Array.from({ length: 8 }, (_, i) => `cm-${i}`);
        for (const name of names) {
          await client.create<ConfigMap>({
            ...cmGVK,
            metadata: { name, namespace: 'default', labels: { demo: 'true' } },
            data: { v: '0' },
          });
        }
        await mgr.elected();
        await until(async () => (await fetch(new URL('readyz', mgr.healthAddress!.url))).status === 200, 'ready');

        // Chaos: failing updates (500 and 409), a failing list, and watch drops while the data keeps changing.
        server.hooks.injectError({ verb: 'update', resource: 'configmaps', code: 500, probability: 0.3, times: 15 });
        server.hooks.injectError({ verb: 'update', resource: 'configmaps', code: 409, probability: 0.3, times: 15 });
        let allowWatches = (): void => undefined;
        for (let round = 1; round <= 4; round++) {
          if (round === 2) {
            // Drop the watch and make every reconnect fail until the history is gone, so it misses this round's writes...
            allowWatches = server.hooks.injectError({ verb: 'watch', resource: 'configmaps', code: 500 });
            server.hooks.disconnectWatches('configmaps');
          }
          for (const name of names) {
            // Retry our own test writes through injected errors and conflicts with the controller.
            await until(async () => {
              try {
                const cm = await client.get<ConfigMap>(cmGVK, { namespace: 'default', name });
                await client.update<ConfigMap>({ ...cm, data: { v: String(round), [`k${round}`]: name } });
                return true;
              } catch {
                return false;
              }
            }, `test write of ${name}`);
          }
          if (round === 2) {
            // ...then forget the watch history: its resume gets 410 Expired and it relists (the first list fails).
            server.hooks.compact();
            server.hooks.injectError({ verb: 'list', resource: 'configmaps', code: 500, times: 1 });
            allowWatches();
          } else {
            server.hooks.disconnectWatches('configmaps');
          }
        }

        // Every object ends with the annotation matching its final data: no update was lost.
        await until(async () => {
          const list = await client
            .list<ConfigMap>(cmGVK, { namespace: 'default', labelSelector: 'demo=true' })
            .catch(() => undefined);
          if (!list) return false;
          return (
            list.items.length === names.length &&
            list.items.every((cm) => cm.metadata.annotations?.[COPY] === serialise(cm.data))
          );
        }, 'convergence');
        const final = await client.get<ConfigMap>(cmGVK, { namespace: 'default', name: 'cm-3' });
        expect(JSON.parse(final.metadata.annotations![COPY]!)).toEqual({ v: '4', k4: 'cm-3' });
        expect(overlaps).toBe(0);
        // The chaos really happened: the informer relisted and reconciles failed and were retried.
        expect(cache.informerFor(cmGVK).listCount()).toBeGreaterThanOrEqual(2);
        expect(runs).toBeGreaterThanOrEqual(names.length);

        const metrics = await fetch(new URL('metrics', mgr.metricsAddress!.url)).then((r) => r.text());
        expect(metrics).toMatch(
          /gotk_reconcile_duration_seconds_count\{kind="ConfigMap",name="cm-3",namespace="default"\} [1-9]/,
        );
        expect(metrics).toMatch(
          /controller_runtime_reconcile_total\{controller="configmap-copier",result="success"\} [1-9]/,
        );
        expect(metrics).toMatch(/controller_runtime_reconcile_errors_total\{controller="configmap-copier"\} [1-9]/);
        expect(metrics).toMatch(/controller_runtime_max_concurrent_reconciles\{controller="configmap-copier"\} 3/);
      } finally {
        stop.abort();
        await run;
      }
    },
  );
});
