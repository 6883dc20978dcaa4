/** Fakes of the event server's reads and writes, for the unit tests (`inject()`, no API server). */
import type { Notifier, ProviderSettings } from '@flux-ts/notifier';
import type { FluxEvent, KubeObject, RecordEvent } from '@flux-ts/runtime';
import { capturedLogger } from '@flux-ts/testing';
import type { AlertObject } from './alert-matching.ts';
import type { ProviderObject, SecretObject } from './provider-settings.ts';
import { buildEventServer } from './server.ts';
import type { EventServer, EventServerOptions } from './server.ts';

/** A recorded Kubernetes Event. */
export interface RecordedEvent extends RecordEvent {
  object: string;
}

/** A notifier post the fake factory saw. */
export interface Post {
  settings: ProviderSettings;
  event: FluxEvent;
}

/** The fake world of one test. */
export interface Fixture {
  server: EventServer;
  alerts: AlertObject[];
  providers: Map<string, ProviderObject>;
  secrets: Map<string, SecretObject>;
  objects: Map<string, KubeObject>;
  events: RecordedEvent[];
  posts: Post[];
  lines: string[];
  /** Makes the next posts fail with this error. */
  failWith: { error?: Error };
  clock: { ms: number };
  /** POSTs `body` (JSON-encoded unless a string) to `/` and waits for the dispatch. */
  post(
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;
}

/** A Kustomization error event as kustomize-controller's recorder posts it. */
export function kustomizationEvent(over: Partial<FluxEvent> = {}): FluxEvent {
  return {
    involvedObject: {
      kind: 'Kustomization',
      namespace: 'apps',
      name: 'webapp',
      uid: '3f1b0e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    },
    severity: 'error',
    timestamp: '2026-12-07T10:00:00Z',
    message: 'Deployment/apps/webapp dry-run failed: field is immutable',
    reason: 'ReconciliationFailed',
    metadata: {
      'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      'kustomize.toolkit.fluxcd.io/token': 'tok-1',
    },
    reportingController: 'kustomize-controller',
    reportingInstance: 'kustomize-controller-0',
    ...over,
  };
}

/** An Alert in `apps` to Provider `sink`. */
export function alert(
  name: string,
  spec: Partial<AlertObject['spec']> = {},
  meta: Partial<AlertObject['metadata']> = {},
): AlertObject {
  return {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Alert',
    metadata: { name, namespace: 'apps', uid: `uid-${name}`, ...meta },
    spec: { providerRef: { name: 'sink' }, eventSources: [{ kind: 'Kustomization', name: '*' }], ...spec },
  };
}

/** A Provider in `apps`. */
export function provider(name: string, spec: Partial<ProviderObject['spec']> = {}): ProviderObject {
  return {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Provider',
    metadata: { name, namespace: 'apps', uid: `8c2f4d1e-aaaa-bbbb-cccc-${name.padEnd(12, '0').slice(0, 12)}` },
    spec: { type: 'generic', address: 'http://sink.example/hook', ...spec },
  };
}

/** A Secret in `apps` with string data. */
export function secret(name: string, data: Record<string, string>, type?: string): SecretObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'apps' },
    ...(type ? { type } : {}),
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

function notFound(what: string): Error {
  return Object.assign(new Error(`${what} not found`), { status: 404, reason: 'NotFound' });
}

/** Builds the event server over fakes. */
export function fixture(opts: Partial<EventServerOptions> = {}): Fixture {
  const { logger, lines } = capturedLogger();
  const alerts: AlertObject[] = [];
  const providers = new Map<string, ProviderObject>([['apps/sink', provider('sink')]]);
  const secrets = new Map<string, SecretObject>();
  const objects = new Map<string, KubeObject>();
  const events: RecordedEvent[] = [];
  const posts: Post[] = [];
  const failWith: { error?: Error } = {};
  const clock = { ms: Date.parse('2026-12-07T10:00:00Z') };
  const server = buildEventServer({
    log: logger,
    rateLimitIntervalMs: 5 * 60_000,
    nowMs: () => clock.ms,
    now: () => new Date(clock.ms),
    listAlerts: () => Promise.resolve(structuredClone(alerts)),
    getProvider: (ns, name) => {
      const p = providers.get(`${ns}/${name}`);
      return p ? Promise.resolve(structuredClone(p)) : Promise.reject(notFound(`provider "${name}"`));
    },
    readSecret: (ns, name) => {
      const s = secrets.get(`${ns}/${name}`);
      return s ? Promise.resolve(structuredClone(s)) : Promise.reject(notFound(`secrets "${name}"`));
    },
    getObject: (ref) => {
      const o = objects.get(`${ref.kind}/${ref.namespace}/${ref.name}`);
      return o ? Promise.resolve(structuredClone(o)) : Promise.reject(notFound(`${ref.kind} "${ref.name}"`));
    },
    recorder: {
      event: (obj, ev) => {
        events.push({ ...ev, object: `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}` });
        return Promise.resolve();
      },
    },
    createNotifier: (settings): Notifier => ({
      post: (event) => {
        posts.push({ settings, event });
        return failWith.error ? Promise.reject(failWith.error) : Promise.resolve();
      },
    }),
    ...opts,
  });
  return {
    server,
    alerts,
    providers,
    secrets,
    objects,
    events,
    posts,
    lines,
    failWith,
    clock,
    async post(body, headers = { 'content-type': 'application/json' }) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/',
        headers,
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
      await server.dispatcher.idle();
      return { statusCode: res.statusCode, body: res.body, headers: res.headers };
    },
  };
}
