/** Helpers of the client/cache integration suites (not shipped: only spec files import this). */
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServer, type ApiServerOptions } from '@flux-ts/apiserver';
import { KubeClient, type KubeClientOptions } from './client.ts';

/** Polls `cond` until it holds (generous timeout, no timing assertions). */
export async function eventually(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A started API server and an admin client for it. */
export interface TestCluster {
  server: ApiServer;
  kc: KubeConfig;
  client: KubeClient;
}

export async function startTestCluster(
  opts: ApiServerOptions = {},
  clientOpts: KubeClientOptions = {},
): Promise<TestCluster> {
  const server = await startApiServer(opts);
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  return { server, kc, client: KubeClient.fromKubeConfig(kc, { userAgent: 'flux-ts-runtime-test', ...clientOpts }) };
}

/** A namespaced CRD `widgets.test.flux-ts.dev` (kind Widget, v1) with a status subresource. */
export const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.test.flux-ts.dev' },
  spec: {
    group: 'test.flux-ts.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' }, sourceRef: { type: 'string' } } },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

export const widgetGvk = { apiVersion: 'test.flux-ts.dev/v1', kind: 'Widget' } as const;
export const configMapGvk = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
