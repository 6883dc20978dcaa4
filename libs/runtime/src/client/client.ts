/**
 * The typed Kubernetes client: verbs over discovery-backed REST mapping, typed errors, client-side QPS/burst,
 * impersonation, dry-run, server-side apply. Modelled on controller-runtime's `client.Client`.
 */
import type { KubeConfigLike } from '../config/kube-config.ts';
import { ApiError, isTooManyRequests } from './errors.ts';
import { kubeConfigFromSecret, type KubeconfigSecretOptions, type SecretLike } from './kubeconfig-secret.ts';
import { RestMapper } from './rest-mapper.ts';
import { systemClock, TokenBucket, type LimiterClock } from './token-bucket.ts';
import { KubeConfigTransport, type Transport, type TransportRequest } from './transport.ts';
import type {
  ApplyOptions,
  DeleteOptions,
  GroupVersionKind,
  KubeObject,
  ListOptions,
  ListResult,
  ObjectKey,
  PatchOptions,
  PatchType,
  RestMapping,
  RuntimeLogger,
  WatchEvent,
  WatchOptions,
  WriteOptions,
  CallOptions,
} from './types.ts';

/** Flux's default of `--kube-api-qps`. */
export const DEFAULT_QPS = 50;
/** Flux's default of `--kube-api-burst`. */
export const DEFAULT_BURST = 300;

/** Options of a {@link KubeClient}. */
export interface KubeClientOptions {
  /** Requests per second (`--kube-api-qps`, default 50); 0 or less disables client-side limiting. */
  qps?: number;
  /** Burst (`--kube-api-burst`, default 300). */
  burst?: number;
  /** User-Agent header. */
  userAgent?: string;
  /** Timeout of one non-watch request in ms (default 60 s; 0 = none). */
  requestTimeoutMs?: number;
  /** Retries of a request the server answered with 429 (or a 5xx with Retry-After), honouring Retry-After (default 5). */
  maxRetries?: number;
  /** Receives server `Warning` headers and retries. */
  logger?: RuntimeLogger;
  /** Clock of the rate limiter and retry waits (tests). */
  clock?: LimiterClock;
  /**
   * fluxcd/pkg `GetConfigOrDie`: before the first request, ask whether the server runs API Priority and Fairness
   * (client-go `flowcontrol.IsEnabled`: `GET /livez/ping` answers with `X-Kubernetes-PF-FlowSchema-UID`); if it
   * does, the server throttles and client-side limiting is turned off (QPS/burst -1). Default false.
   */
  detectFlowControl?: boolean;
  /**
   * Hears the outcome of every request, watches included (client-go's `RequestResult` metric hook): the HTTP status
   * code as a string, or `<error>` when no response arrived, and the method.
   */
  onRequestResult?: (result: { code: string; method: string }) => void;
}

/** The response header an API server with Priority and Fairness sets (client-go `ResponseHeaderMatchedFlowSchemaUID`). */
export const FLOW_SCHEMA_UID_HEADER = 'X-Kubernetes-PF-FlowSchema-UID';

const contentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

interface Shared {
  transport: Transport;
  limiter: TokenBucket;
  mapper: RestMapper;
  opts: KubeClientOptions;
  /** Set while (and after) the flow-control probe runs; requests wait for it. */
  flowControl?: Promise<void>;
}

/** A typed client for one cluster (and one identity: see {@link KubeClient.impersonate}). */
export class KubeClient {
  #s: Shared;
  #headers: Record<string, string | string[]> = {};

  /** Prefer {@link KubeClient.fromKubeConfig}; this takes a transport (tests may pass their own). */
  constructor(transport: Transport, opts: KubeClientOptions = {}) {
    this.#s = {
      transport,
      opts,
      limiter: new TokenBucket(opts.qps ?? DEFAULT_QPS, opts.burst ?? DEFAULT_BURST, opts.clock ?? systemClock),
      mapper: new RestMapper((path, signal) => this.#discovery(path, signal)),
    };
  }

  /** client-go `flowcontrol.IsEnabled`: whether the server runs API Priority and Fairness. */
  async flowControlEnabled(signal?: AbortSignal): Promise<boolean> {
    const res = await this.#s.transport.request({
      method: 'GET',
      path: '/livez/ping',
      ...(signal ? { signal } : {}),
    });
    const uid = res.headers[FLOW_SCHEMA_UID_HEADER.toLowerCase()];
    return res.status < 300 && typeof uid === 'string' && uid !== '';
  }

  /** Runs the flow-control probe once (when asked for) and turns client-side limiting off if the server throttles. */
  #limiterReady(): Promise<void> {
    const s = this.#s;
    if (!s.opts.detectFlowControl) return Promise.resolve();
    s.flowControl ??= this.flowControlEnabled(AbortSignal.timeout(10_000)).then(
      (enabled) => {
        if (!enabled) return;
        s.limiter = new TokenBucket(-1, -1, s.opts.clock ?? systemClock);
        s.opts.logger?.info({}, 'flow control enabled, disabling client side throttling');
      },
      () => undefined, // as fluxcd/pkg: an error keeps the configured QPS/burst
    );
    return s.flowControl;
  }

  /** A client for the current context of a kubeconfig (ours or @kubernetes/client-node's: auth, TLS and proxies). */
  static fromKubeConfig(kc: KubeConfigLike, opts: KubeClientOptions = {}): KubeClient {
    return new KubeClient(new KubeConfigTransport(kc), opts);
  }

  /**
   * A client for a remote cluster from a kubeconfig Secret (`spec.kubeConfig.secretRef`): key `value` or
   * `value.yaml` unless `opts.key` names one. Exec/auth-provider plugins, file references and insecure TLS are
   * refused unless allowed (Flux's `--insecure-kubeconfig-exec` / `--insecure-kubeconfig-tls`).
   */
  static fromKubeconfigSecret(secret: SecretLike, opts: KubeClientOptions & KubeconfigSecretOptions = {}): KubeClient {
    return KubeClient.fromKubeConfig(kubeConfigFromSecret(secret, opts), opts);
  }

  static #derive(s: Shared, headers: Record<string, string | string[]>): KubeClient {
    const c = new KubeClient(s.transport, s.opts);
    c.#s = s;
    c.#headers = headers;
    return c;
  }

  /** The rate limiter (shared with impersonating clients derived from this one). */
  get rateLimiter(): TokenBucket {
    return this.#s.limiter;
  }

  /**
   * A client acting as another user (`Impersonate-User`/`Impersonate-Group` headers), e.g.
   * `system:serviceaccount:<ns>:<name>`; it shares this client's connection, rate limiter and REST mapping.
   */
  impersonate(user: string, groups: string[] = []): KubeClient {
    const headers: Record<string, string | string[]> = { ...this.#headers, 'Impersonate-User': user };
    if (groups.length > 0) headers['Impersonate-Group'] = [...groups];
    else delete headers['Impersonate-Group'];
    return KubeClient.#derive(this.#s, headers);
  }

  /** Discovery-backed REST mapping of a kind (cached; refreshed when the kind is missing). */
  resourceFor(gvk: GroupVersionKind, opts: CallOptions = {}): Promise<RestMapping> {
    return this.#s.mapper.resourceFor(gvk, opts.signal);
  }

  /** Reads one object. */
  async get<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    key: ObjectKey,
    opts: CallOptions = {},
  ): Promise<T> {
    const path = await this.#objectPath(gvk, key, 'get', opts.signal);
    return withKind(gvk, await this.#json<T>({ method: 'GET', path, signal: opts.signal }));
  }

  /** Lists one page of objects (follow `continue` for more). Items get apiVersion/kind filled in. */
  async list<T extends KubeObject = KubeObject>(gvk: GroupVersionKind, opts: ListOptions = {}): Promise<ListResult<T>> {
    const m = await this.resourceFor(gvk, opts);
    const path = collectionPath(m, opts.namespace);
    const res = await this.#json<{
      items?: T[];
      metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
    }>({
      method: 'GET',
      path,
      query: {
        labelSelector: opts.labelSelector || undefined,
        fieldSelector: opts.fieldSelector || undefined,
        limit: opts.limit,
        continue: opts.continue || undefined,
        resourceVersion: opts.resourceVersion,
      },
      signal: opts.signal,
    });
    const out: ListResult<T> = {
      items: (res.items ?? []).map((o) => withKind(gvk, o)),
      resourceVersion: res.metadata?.resourceVersion ?? '',
    };
    if (res.metadata?.continue) out.continue = res.metadata.continue;
    if (res.metadata?.remainingItemCount !== undefined) out.remainingItemCount = res.metadata.remainingItemCount;
    return out;
  }

  /** Lists every page (limit `pageSize`, default 500). */
  async listAll<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    opts: Omit<ListOptions, 'continue'> & { pageSize?: number } = {},
  ): Promise<ListResult<T>> {
    const { pageSize = 500, ...rest } = opts;
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page: ListResult<T> = await this.list<T>(gvk, {
        ...rest,
        limit: pageSize,
        ...(cont ? { continue: cont } : {}),
      });
      if (rv === '') rv = page.resourceVersion;
      items.push(...page.items);
      cont = page.continue;
    } while (cont);
    return { items, resourceVersion: rv };
  }

  /** Creates an object (namespace from `metadata.namespace`). */
  async create<T extends KubeObject>(obj: T, opts: WriteOptions = {}): Promise<T> {
    const m = await this.resourceFor(obj, opts);
    const ns = m.namespaced ? requireNamespace(obj.metadata.namespace, 'create', obj) : undefined;
    return withKind(
      obj,
      await this.#json<T>({
        method: 'POST',
        path: collectionPath(m, ns),
        query: writeQuery(opts),
        body: JSON.stringify(obj),
        signal: opts.signal,
      }),
    );
  }

  /**
   * POSTs `body` to a subresource of an object (`serviceaccounts/<name>/token` with a TokenRequest, `eviction`…) and
   * returns the response object.
   */
  async createSubresource<T = Record<string, unknown>>(
    gvk: GroupVersionKind,
    key: ObjectKey,
    subresource: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<T> {
    const path = await this.#objectPath(gvk, key, 'create', opts.signal, subresource);
    return this.#json<T>({
      method: 'POST',
      path,
      query: writeQuery(opts),
      body: JSON.stringify(body),
      signal: opts.signal,
    });
  }

  /** Replaces an object (optimistic concurrency on `metadata.resourceVersion`). */
  async update<T extends KubeObject>(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#put(obj, undefined, opts);
  }

  /** Replaces the status subresource of an object. */
  async updateStatus<T extends KubeObject>(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#put(obj, 'status', opts);
  }

  /** Patches an object (or a subresource) with a merge, JSON, strategic-merge or apply patch. */
  async patch<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    key: ObjectKey,
    patch: unknown,
    opts: PatchOptions,
  ): Promise<T> {
    const path = await this.#objectPath(gvk, key, 'patch', opts.signal, opts.subresource);
    const query = { ...writeQuery(opts), force: opts.type === 'apply' && opts.force ? true : undefined };
    return withKind(
      gvk,
      await this.#json<T>(
        { method: 'PATCH', path, query, body: JSON.stringify(patch), signal: opts.signal },
        contentTypes[opts.type],
      ),
    );
  }

  /** Server-side apply of `obj` (its `metadata.managedFields` is left out) with a field manager. */
  async apply<T extends KubeObject>(obj: T, opts: ApplyOptions): Promise<T> {
    const { managedFields: _drop, ...metadata } = obj.metadata;
    return this.patch<T>(obj, obj.metadata, { ...obj, metadata }, { ...opts, type: 'apply' });
  }

  /** Deletes an object (NotFound is an error; use `isNotFound` to ignore it). */
  async delete(gvk: GroupVersionKind, key: ObjectKey, opts: DeleteOptions = {}): Promise<void> {
    const path = await this.#objectPath(gvk, key, 'delete', opts.signal);
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (opts.propagationPolicy) body['propagationPolicy'] = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body['gracePeriodSeconds'] = opts.gracePeriodSeconds;
    if (opts.preconditions) body['preconditions'] = opts.preconditions;
    await this.#json({
      method: 'DELETE',
      path,
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      body: JSON.stringify(body),
      signal: opts.signal,
    });
  }

  /**
   * Watches a kind. The iteration ends when the server closes the stream or `signal` aborts; it throws an
   * ApiError when the server refuses the watch (e.g. 410 Gone). ERROR events carry a Status object.
   */
  async *watch<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    opts: WatchOptions,
  ): AsyncGenerator<WatchEvent<T>> {
    const m = await this.resourceFor(gvk, { signal: opts.signal });
    await this.#limiterReady();
    await this.#s.limiter.take(opts.signal);
    // With timeoutSeconds the server ends the watch; if it does not (a half-open connection), give up 30 s later
    // so the caller reconnects.
    const limitS = opts.timeoutSeconds ? opts.timeoutSeconds + 30 : 0;
    const deadline = limitS > 0 ? new AbortController() : undefined;
    const timer = deadline
      ? setTimeout(
          () =>
            deadline.abort(
              new Error(`failed to watch ${m.resource}: the server did not end the watch within ${limitS}s`),
            ),
          limitS * 1000,
        )
      : undefined;
    timer?.unref();
    const signal = deadline ? AbortSignal.any([opts.signal, deadline.signal]) : opts.signal;
    const req: TransportRequest = {
      method: 'GET',
      path: collectionPath(m, opts.namespace),
      query: {
        watch: 'true',
        resourceVersion: opts.resourceVersion || undefined,
        allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
        labelSelector: opts.labelSelector || undefined,
        fieldSelector: opts.fieldSelector || undefined,
        timeoutSeconds: opts.timeoutSeconds,
      },
      headers: this.#requestHeaders('application/json'),
      signal,
    };
    let res;
    try {
      res = await this.#s.transport.stream(req);
      this.#s.opts.onRequestResult?.({ code: String(res.status), method: 'GET' });
    } catch (err) {
      if (!opts.signal.aborted) this.#s.opts.onRequestResult?.({ code: '<error>', method: 'GET' });
      clearTimeout(timer);
      if (opts.signal.aborted) return;
      if (deadline?.signal.aborted) throw deadline.signal.reason;
      throw err;
    }
    try {
      if (res.status !== 200) {
        throw ApiError.fromResponse(
          res.status,
          await res.readBody(),
          `failed to watch ${m.resource}`,
          header(res.headers['retry-after']),
        );
      }
      for await (const line of res.lines()) {
        if (line.trim() === '') continue;
        let ev: { type?: string; object?: T };
        try {
          ev = JSON.parse(line) as { type?: string; object?: T };
        } catch (err) {
          throw new Error(`failed to decode watch event of ${m.resource}`, { cause: err });
        }
        const type = ev.type as WatchEvent<T>['type'];
        if (!ev.object || !['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'].includes(type)) continue;
        yield { type, object: type === 'ERROR' || type === 'BOOKMARK' ? ev.object : withKind(gvk, ev.object) };
      }
    } catch (err) {
      if (opts.signal.aborted) return;
      if (deadline?.signal.aborted) throw deadline.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      res.close();
    }
  }

  async #put<T extends KubeObject>(obj: T, sub: string | undefined, opts: WriteOptions): Promise<T> {
    const path = await this.#objectPath(obj, obj.metadata, 'update', opts.signal, sub);
    return withKind(
      obj,
      await this.#json<T>({
        method: 'PUT',
        path,
        query: writeQuery(opts),
        body: JSON.stringify(obj),
        signal: opts.signal,
      }),
    );
  }

  async #objectPath(
    gvk: GroupVersionKind,
    key: ObjectKey,
    verb: string,
    signal?: AbortSignal,
    sub?: string,
  ): Promise<string> {
    const m = await this.resourceFor(gvk, { signal });
    if (!key.name) throw new Error(`failed to ${verb} ${gvk.kind}: name is required`);
    const ns = m.namespaced ? requireNamespace(key.namespace, verb, { kind: gvk.kind, metadata: key }) : undefined;
    return `${collectionPath(m, ns)}/${encodeURIComponent(key.name)}${sub ? `/${sub}` : ''}`;
  }

  async #discovery(
    path: string,
    signal?: AbortSignal,
  ): Promise<{ resources?: { name: string; kind: string; namespaced: boolean }[] } | undefined> {
    return this.#json({ method: 'GET', path, signal });
  }

  #requestHeaders(contentType?: string): Record<string, string | string[]> {
    const h: Record<string, string | string[]> = { Accept: 'application/json', ...this.#headers };
    if (contentType) h['Content-Type'] = contentType;
    if (this.#s.opts.userAgent) h['User-Agent'] = this.#s.opts.userAgent;
    return h;
  }

  /** One request with rate limiting, Retry-After retries and Status → ApiError. */
  async #json<T>(req: TransportRequest, contentType = 'application/json'): Promise<T> {
    await this.#limiterReady();
    const { opts, limiter, transport } = this.#s;
    const timeoutMs = opts.requestTimeoutMs ?? 60_000;
    const maxRetries = opts.maxRetries ?? 5;
    const clock = opts.clock ?? systemClock;
    for (let attempt = 0; ; attempt++) {
      await limiter.take(req.signal);
      const deadline = timeoutMs > 0 ? requestDeadline(req.signal, timeoutMs) : undefined;
      const signal = deadline?.signal ?? req.signal;
      let res;
      try {
        res = await transport.request({
          ...req,
          headers: this.#requestHeaders(req.body !== undefined ? contentType : undefined),
          ...(signal ? { signal } : {}),
        });
        opts.onRequestResult?.({ code: String(res.status), method: req.method });
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason;
        opts.onRequestResult?.({ code: '<error>', method: req.method });
        if (signal?.aborted)
          throw new Error(`failed to ${req.method} ${req.path}: request timed out after ${timeoutMs}ms`, {
            cause: err,
          });
        throw err;
      } finally {
        deadline?.done();
      }
      this.#warnings(res.headers['warning'], req);
      if (res.status >= 200 && res.status < 300) {
        try {
          return (res.body === '' ? undefined : JSON.parse(res.body)) as T;
        } catch (err) {
          throw new Error(`failed to ${req.method} ${req.path}: response is not JSON`, { cause: err });
        }
      }
      const err = ApiError.fromResponse(
        res.status,
        res.body,
        `failed to ${req.method} ${req.path}`,
        header(res.headers['retry-after']),
      );
      const retryable = isTooManyRequests(err) || (res.status >= 500 && err.retryAfterSeconds !== undefined);
      if (!retryable || attempt >= maxRetries) throw err;
      const waitS = Math.min(err.retryAfterSeconds ?? 1, 30);
      opts.logger?.debug(
        { path: req.path, status: res.status, attempt: attempt + 1, retryAfterSeconds: waitS },
        'retrying request the server throttled',
      );
      await clock.sleep(waitS * 1000, req.signal);
    }
  }

  #warnings(value: string | string[] | undefined, req: TransportRequest): void {
    if (!value || !this.#s.opts.logger) return;
    for (const w of Array.isArray(value) ? value : [value])
      this.#s.opts.logger.warn({ path: req.path, warning: w }, 'kubernetes api warning');
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * A signal that aborts when `parent` does or after `timeoutMs`, released by `done()` as soon as the request ends.
 * Hand-rolled rather than `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: those keep a timer and a composite
 * signal alive for the whole timeout after every request (a minute each, thousands at a time under load).
 */
function requestDeadline(
  parent: AbortSignal | undefined,
  timeoutMs: number,
): { signal: AbortSignal; done: () => void } {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(parent?.reason);
  if (parent?.aborted) ac.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => ac.abort(new DOMException(`request timed out after ${timeoutMs}ms`, 'TimeoutError')),
    timeoutMs,
  );
  return {
    signal: ac.signal,
    done: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

function writeQuery(opts: WriteOptions): TransportRequest['query'] {
  return {
    dryRun: opts.dryRun ? 'All' : undefined,
    fieldManager: opts.fieldManager || undefined,
    fieldValidation: opts.fieldValidation,
  };
}

function requireNamespace(
  ns: string | undefined,
  verb: string,
  obj: { kind: string; metadata: { name?: string } },
): string {
  if (!ns)
    throw new Error(
      `failed to ${verb} ${obj.kind} ${JSON.stringify(obj.metadata.name ?? '')}: namespace is required for a namespaced kind`,
    );
  return ns;
}

/** `/api/v1[/namespaces/ns]/resource` or `/apis/g/v[/namespaces/ns]/resource`. */
export function collectionPath(
  m: Pick<RestMapping, 'group' | 'version' | 'resource' | 'namespaced'>,
  namespace?: string,
): string {
  const base = m.group === '' ? `/api/${m.version}` : `/apis/${m.group}/${m.version}`;
  const ns = m.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${m.resource}`;
}

function withKind<T>(gvk: GroupVersionKind, obj: T): T {
  if (obj && typeof obj === 'object') {
    const o = obj as { apiVersion?: string; kind?: string };
    if (!o.apiVersion) o.apiVersion = gvk.apiVersion;
    if (!o.kind) o.kind = gvk.kind;
  }
  return obj;
}
