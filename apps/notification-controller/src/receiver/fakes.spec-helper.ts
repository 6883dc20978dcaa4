// In-memory stand-ins for the receiver server's ports (cache index, cache reader, client patch, Secret reads), so the
// unit tests drive `buildReceiverServer` through `inject()` and see every patch it sends.
import { createHmac } from 'node:crypto';
import { ApiError } from '@flux-ts/runtime';
import type { GroupVersionKind, KubeObject, ObjectKey, PatchOptions } from '@flux-ts/runtime';
import { capturedLogger } from '@flux-ts/testing';
import type { JWTVerifyGetKey } from 'jose';
import type { ReceiverObject } from './reconciler.ts';
import { webhookPathFor } from './reconciler.ts';
import { buildReceiverServer } from './server.ts';
import type { ReceiverServerDeps } from './server.ts';
import type { OIDCDiscovery } from './tokens.ts';

/** The token of every test Secret. */
export const testToken = 'test-token-0123456789';

/** A fixed clock for the annotation. */
export const testNow = new Date('2026-01-02T03:04:05.678Z');

function notFound(kind: string, name: string): ApiError {
  return new ApiError(`${kind.toLowerCase()}s "${name}" not found`, { status: 404, reason: 'NotFound' });
}

/** One recorded patch. */
export interface RecordedPatch {
  gvk: GroupVersionKind;
  key: ObjectKey;
  patch: unknown;
  type: string;
}

/** An in-memory cluster with the receiver server's ports over it. */
export class FakeCluster {
  readonly objects: KubeObject[] = [];
  readonly patches: RecordedPatch[] = [];
  /** Makes the patch of this object name fail. */
  failPatchFor = new Set<string>();

  add(...objs: KubeObject[]): this {
    this.objects.push(...objs);
    return this;
  }

  find(gvk: GroupVersionKind, key: ObjectKey): KubeObject | undefined {
    return this.objects.find(
      (o) =>
        o.apiVersion === gvk.apiVersion &&
        o.kind === gvk.kind &&
        o.metadata.name === key.name &&
        (o.metadata.namespace ?? '') === (key.namespace ?? ''),
    );
  }

  readonly reader = {
    get: async <T extends KubeObject = KubeObject>(gvk: GroupVersionKind, key: ObjectKey): Promise<T> => {
      const o = this.find(gvk, key);
      if (!o) throw notFound(gvk.kind, key.name);
      return structuredClone(o) as T;
    },
    list: async <T extends KubeObject = KubeObject>(
      gvk: GroupVersionKind,
      opts: { namespace?: string; labelSelector?: string } = {},
    ): Promise<T[]> => {
      const reqs = (opts.labelSelector ?? '')
        .split(',')
        .filter((s) => s !== '')
        .map((s) => s.split('=') as [string, string]);
      return this.objects
        .filter(
          (o) =>
            o.apiVersion === gvk.apiVersion &&
            o.kind === gvk.kind &&
            (opts.namespace === undefined || (o.metadata.namespace ?? '') === opts.namespace) &&
            reqs.every(([k, v]) => o.metadata.labels?.[k] === v),
        )
        .map((o) => structuredClone(o) as T);
    },
  };

  readonly patcher = {
    patch: async (gvk: GroupVersionKind, key: ObjectKey, patch: unknown, opts: PatchOptions): Promise<unknown> => {
      if (this.failPatchFor.has(key.name)) throw new Error('injected patch failure');
      if (!this.find(gvk, key)) throw notFound(gvk.kind, key.name);
      this.patches.push({ gvk, key, patch, type: opts.type });
      return {};
    },
  };

  /** The names of the annotated objects, in order. */
  annotated(): string[] {
    return this.patches.map((p) => `${p.gvk.kind}/${p.key.namespace}/${p.key.name}`);
  }
}

/** A Secret with `token` (and extra keys). */
export function secret(
  namespace: string,
  name: string,
  data: Record<string, string> = { token: testToken },
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  } as KubeObject;
}

/** A GitRepository to annotate. */
export function gitRepository(namespace: string, name: string, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { namespace, name, ...(labels ? { labels } : {}) },
  };
}

/** A Ready Receiver with its webhook path, as the reconciler leaves it. */
export function readyReceiver(
  name: string,
  spec: Partial<ReceiverObject['spec']> & Pick<ReceiverObject['spec'], 'type'>,
  opts: { namespace?: string; ready?: boolean; token?: string } = {},
): ReceiverObject {
  const namespace = opts.namespace ?? 'default';
  const token = spec.type === 'generic-oidc' ? '' : (opts.token ?? testToken);
  return {
    apiVersion: 'notification.toolkit.fluxcd.io/v1',
    kind: 'Receiver',
    metadata: { name, namespace, generation: 1 },
    spec: {
      resources: [{ kind: 'GitRepository', name: 'webapp' }],
      ...(spec.type === 'generic-oidc' ? {} : { secretRef: { name: 'webhook-token' } }),
      ...spec,
    },
    status: {
      observedGeneration: 1,
      webhookPath: webhookPathFor(token, name, namespace),
      conditions: [
        {
          type: 'Ready',
          status: opts.ready === false ? 'False' : 'True',
          reason: 'Succeeded',
          message: 'ok',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          observedGeneration: 1,
        },
      ],
    },
  } as ReceiverObject;
}

/** hex HMAC of a body, with a `<algo>=` prefix. */
export function sign(body: string | Buffer, algo: 'sha1' | 'sha256' | 'sha512' = 'sha256', token = testToken): string {
  return `${algo}=${createHmac(algo, token).update(body).digest('hex')}`;
}

/** Builds a server over a fake cluster holding the given Receivers. */
export function testServer(
  cluster: FakeCluster,
  receivers: ReceiverObject[],
  extra: Partial<ReceiverServerDeps> & { gcrKeys?: JWTVerifyGetKey; oidcDiscovery?: OIDCDiscovery } = {},
): { app: ReturnType<typeof buildReceiverServer>; lines: string[] } {
  const { logger, lines } = capturedLogger();
  const app = buildReceiverServer({
    receivers: { byWebhookPath: async (p) => receivers.filter((r) => r.status?.webhookPath === p) },
    resources: cluster.reader,
    patcher: cluster.patcher,
    secrets: cluster.reader,
    log: logger,
    now: () => testNow,
    gcrKeys: async () => {
      throw new Error('no gcr keys in this test');
    },
    oidcDiscovery: async () => {
      throw new Error('no OIDC discovery in this test');
    },
    ...extra,
  });
  return { app, lines };
}
