/**
 * EventRecorder (fluxcd/pkg `runtime/events` Recorder over client-go's core/v1 recorder):
 * - writes core/v1 Events with `source.component`, `reportingComponent`/`reportingInstance`, annotations = the event
 *   metadata; a repeat (same object, type, reason, message) bumps `count`/`lastTimestamp` of the existing Event
 *   instead of creating a new one, and more than 10 distinct messages for the same object/type/reason within
 *   10 minutes are combined into one Event (client-go EventCorrelator behaviour);
 * - when an events address is set, POSTs Flux's event JSON to it (see flux-event.ts). Trace events stay local as
 *   Normal Kubernetes Events. Metadata keys without a `/` are prefixed with the object's API group, and the object's
 *   `event.toolkit.fluxcd.io/*` annotations are copied in.
 */
import { hostname } from 'node:os';
import { EventMetadataAnnotationPrefix } from '@flux-ts/api';
import type { Logger } from '../observability/index.ts';
import {
  isNotFoundError,
  type ClientPatchOptions,
  type GroupVersionKind,
  type KubeObject,
  type ObjectKey,
} from '../patch/types.ts';
import { errMessage } from '../util/err-message.ts';
import { MaxEventMessageLength, postFluxEvent, redactAddress, type FluxEvent, type PostResult } from './flux-event.ts';

/** Kubernetes event types plus Flux's local-only Trace. */
export const EventType = { Normal: 'Normal', Warning: 'Warning', Trace: 'Trace' } as const;
/** One of {@link EventType}. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Writes Kubernetes Events (satisfied by `KubeClient`). */
export interface EventClient {
  create(obj: KubeObject, opts?: { signal?: AbortSignal }): Promise<KubeObject>;
  patch(gvk: GroupVersionKind, key: ObjectKey, patch: unknown, opts: ClientPatchOptions): Promise<KubeObject>;
}

/** The object an event is about. */
export interface EventObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
}

/** One event to record. */
export interface RecordEvent {
  type: EventType;
  reason: string;
  message: string;
  /** Metadata; keys without `/` get the `<api-group>/` prefix (e.g. `revision` → `source.toolkit.fluxcd.io/revision`). */
  metadata?: Record<string, string>;
  /** Dedup token for notification-controller, sent as `<api-group>/token`. */
  token?: string;
}

/** Options of an {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** Controller name: `reportingController`, `source.component` (e.g. `source-controller`). */
  reportingController: string;
  /** Instance id (default: the hostname, i.e. the pod name). */
  reportingInstance?: string;
  /** Kubernetes Events sink; without it only the webhook is used. */
  client?: EventClient;
  /** `--events-addr`: notification-controller's event endpoint. */
  eventsAddr?: string;
  /** Injected fetch (tests). */
  fetch?: typeof fetch;
  /** Webhook per-attempt timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Webhook retries on 5xx/network errors (default 4). */
  retries?: number;
  retryWaitMinMs?: number;
  retryWaitMaxMs?: number;
  log?: Logger;
  /** Clock (tests). */
  now?: () => Date;
  /** Distinct messages per object/type/reason within {@link EventRecorderOptions.aggregateWindowMs} before combining (default 10). */
  aggregateMaxEvents?: number;
  /** Default 10 minutes. */
  aggregateWindowMs?: number;
  /** Entries of the repeat cache (default 4096, client-go's maxLruCacheEntries). */
  cacheSize?: number;
}

interface SeenEvent {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

interface AggregateRecord {
  messages: Set<string>;
  firstSeen: number;
}

/** Strips `user:password@` from URLs in a message (source-controller's sanitized errors), so no credential leaves. */
export function redactUrlCredentials(message: string): string {
  // Anchored on '://' (not on the scheme) so long messages stay linear-time.
  return message.replace(/:\/\/[^\s/@]+@/g, '://');
}

function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The API group of an apiVersion (`''` for the core group). */
export function apiGroupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function setLru<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  while (m.size > max) {
    const oldest = m.keys().next();
    if (oldest.done) break;
    m.delete(oldest.value);
  }
}

/** Records events of reconciled objects to Kubernetes and, optionally, to notification-controller. */
export class EventRecorder {
  readonly #opts: EventRecorderOptions;
  readonly #instance: string;
  readonly #now: () => Date;
  readonly #seen = new Map<string, SeenEvent>();
  readonly #aggregates = new Map<string, AggregateRecord>();
  readonly #pending = new Set<Promise<unknown>>();
  #sinkChain: Promise<unknown> = Promise.resolve();
  readonly #abort = new AbortController();
  #seq = 0;

  constructor(opts: EventRecorderOptions) {
    if (opts.eventsAddr) {
      try {
        new URL(opts.eventsAddr);
      } catch (err) {
        throw new Error(`invalid events address: ${redactAddress(opts.eventsAddr)}`, { cause: err });
      }
    }
    this.#opts = opts;
    this.#instance = opts.reportingInstance ?? hostname();
    this.#now = opts.now ?? (() => new Date());
  }

  /**
   * Records an event. Never throws; the returned promise settles when the Kubernetes Event is written and the
   * webhook delivery has finished (callers may ignore it; {@link EventRecorder.flush} waits for all).
   */
  event(obj: EventObject, ev: RecordEvent): Promise<void> {
    const p = this.#record(obj, ev).catch((err: unknown) => {
      this.#opts.log?.error({ err: errMessage(err) }, 'unable to record event');
    });
    this.#pending.add(p);
    // bookkeeping only: p never rejects (caught above), so neither does its finally
    void p.finally(() => this.#pending.delete(p));
    return p;
  }

  /** Waits for every event recorded so far. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Stops webhook retries and waits for in-flight work (shutdown). */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.flush();
  }

  /** The metadata sent for an event: prefixed keys, token, and the object's event annotations. */
  metadataFor(obj: EventObject, ev: RecordEvent): Record<string, string> {
    const group = apiGroupOf(obj.apiVersion);
    const prefix = (k: string) => (k.includes('/') || group === '' ? k : `${group}/${k}`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(ev.metadata ?? {})) out[prefix(k)] = v;
    if (ev.token) out[prefix('token')] = ev.token;
    for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
      if (k.startsWith(EventMetadataAnnotationPrefix)) out[k] = v;
    }
    return out;
  }

  async #record(obj: EventObject, input: RecordEvent): Promise<void> {
    const ev = { ...input, message: redactUrlCredentials(input.message) };
    const metadata = this.metadataFor(obj, ev);
    const kubeType = ev.type === EventType.Warning ? 'Warning' : 'Normal';
    this.#opts.log?.trace(
      { reason: ev.reason, type: ev.type, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace },
      ev.message,
    );

    const tasks: Promise<unknown>[] = [];
    if (this.#opts.client) {
      const client = this.#opts.client;
      // Writes are serialised so a repeat always finds the Event its predecessor created.
      const next = this.#sinkChain.then(() => this.#writeKubeEvent(client, obj, kubeType, ev, metadata));
      this.#sinkChain = next.catch(() => undefined);
      tasks.push(next);
    }
    if (ev.type !== EventType.Trace && this.#opts.eventsAddr) tasks.push(this.#post(obj, ev, metadata));
    const results = await Promise.allSettled(tasks);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  async #post(obj: EventObject, ev: RecordEvent, metadata: Record<string, string>): Promise<PostResult | undefined> {
    const { kind, apiVersion } = obj;
    const { name, namespace, uid } = obj.metadata;
    if (!kind || !name || !namespace) {
      this.#opts.log?.error(
        { kind, name, namespace },
        'unable to record event: object kind, name and namespace are required',
      );
      return undefined;
    }
    const event: FluxEvent = {
      involvedObject: { kind, namespace, name, uid, apiVersion },
      severity: ev.type === EventType.Warning ? 'error' : 'info',
      timestamp: metaTime(this.#now()),
      message: ev.message.length > MaxEventMessageLength ? ev.message.slice(0, MaxEventMessageLength) : ev.message,
      reason: ev.reason,
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      reportingController: this.#opts.reportingController,
      ...(this.#instance ? { reportingInstance: this.#instance } : {}),
    };
    const res = await postFluxEvent(this.#opts.eventsAddr!, event, {
      fetch: this.#opts.fetch,
      timeoutMs: this.#opts.timeoutMs,
      retries: this.#opts.retries,
      retryWaitMinMs: this.#opts.retryWaitMinMs,
      retryWaitMaxMs: this.#opts.retryWaitMaxMs,
      signal: this.#abort.signal,
    });
    if (!res.ok) {
      this.#opts.log?.error(
        {
          address: redactAddress(this.#opts.eventsAddr!),
          status: res.status,
          attempts: res.attempts,
          error: res.error,
        },
        'unable to record event',
      );
    }
    return res;
  }

  async #writeKubeEvent(
    client: EventClient,
    obj: EventObject,
    type: 'Normal' | 'Warning',
    ev: RecordEvent,
    metadata: Record<string, string>,
  ): Promise<void> {
    const now = this.#now();
    const ts = metaTime(now);
    const namespace = obj.metadata.namespace || 'default';
    const objectKey = [
      obj.apiVersion,
      obj.kind,
      obj.metadata.namespace ?? '',
      obj.metadata.name ?? '',
      obj.metadata.uid ?? '',
    ].join('\u0000');

    // Aggregation of similar events (same object/type/reason, different messages).
    const aggKey = [this.#opts.reportingController, this.#instance, objectKey, type, ev.reason].join('\u0000');
    const windowMs = this.#opts.aggregateWindowMs ?? 10 * 60 * 1000;
    let rec = this.#aggregates.get(aggKey);
    if (!rec || now.getTime() - rec.firstSeen > windowMs) rec = { messages: new Set(), firstSeen: now.getTime() };
    rec.messages.add(ev.message);
    setLru(this.#aggregates, aggKey, rec, this.#opts.cacheSize ?? 4096);
    const combined = rec.messages.size >= (this.#opts.aggregateMaxEvents ?? 10);
    const message = combined ? `(combined from similar events): ${ev.message}` : ev.message;
    const dedupKey = combined ? `${aggKey}\u0000<combined>` : `${aggKey}\u0000${ev.message}`;

    const seen = this.#seen.get(dedupKey);
    if (seen) {
      const count = seen.count + 1;
      try {
        await client.patch(
          { apiVersion: 'v1', kind: 'Event' },
          { namespace: seen.namespace, name: seen.name },
          { count, lastTimestamp: ts, message },
          { type: 'merge' },
        );
        setLru(this.#seen, dedupKey, { ...seen, count }, this.#opts.cacheSize ?? 4096);
        return;
      } catch (err) {
        if (!isNotFoundError(err)) throw err;
        // The Event expired or was deleted: create a fresh one below.
      }
    }

    const name = `${obj.metadata.name ?? 'unknown'}.${(BigInt(now.getTime()) * 1000000n + BigInt(++this.#seq % 1000000)).toString(16)}`;
    const event: KubeObject & Record<string, unknown> = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, ...(Object.keys(metadata).length > 0 ? { annotations: metadata } : {}) },
      involvedObject: {
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason: ev.reason,
      message,
      source: { component: this.#opts.reportingController, host: this.#instance },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.#opts.reportingController,
      reportingInstance: this.#instance,
    };
    await client.create(event);
    setLru(this.#seen, dedupKey, { name, namespace, count: 1, firstTimestamp: ts }, this.#opts.cacheSize ?? 4096);
  }
}
