/** Watch streams: replay from the event ring buffer, then live events, with bookmarks and selector transitions. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiCore } from './api.ts';
import type { StatusBody } from './errors.ts';
import { bucketOf } from './registry.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import { MAX_WATCH_BACKLOG_BYTES } from './limits.ts';
import { fieldSelector, labelSelector } from './selectors.ts';
import type { Store, StoreEvent } from './store.ts';
import { toTable, type IncludeObject } from './table.ts';
import { getPath, type Obj } from './util.ts';
import { encodeWatchEvent, PROTOBUF_CT } from './protobuf/codec.ts';
import { responseFormat } from './protobuf/negotiate.ts';

/** An open watch the server can end (forced disconnects, shutdown). */
export interface OpenWatch {
  /** `configmaps`, `deployments.apps`. */
  resource: string;
  end(): void;
}

/** What a watch needs from the server. */
export interface WatchContext {
  store: Store;
  core: ApiCore;
  watches: Set<OpenWatch>;
  random: () => number;
  bookmarkMs: number;
}

const JSON_CT = 'application/json';

/** Which representation the client asked for (the first Accept entry decides). */
export const acceptParams = (accept: string | undefined): { table: boolean; partial: boolean } => {
  const first = (accept ?? '').split(',')[0] ?? '';
  return { table: first.includes('as=Table'), partial: first.includes('as=PartialObjectMetadata') };
};

/** Serve `?watch=true` on a resource: the response stays open until the client leaves or the server ends it. */
export const serveWatch = (
  ctx: WatchContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  ns: string | undefined,
  q: URLSearchParams,
): void => {
  const ls = labelSelector(q.get('labelSelector') ?? undefined);
  ctx.core.validateFieldSelector(def, q.get('fieldSelector') ?? undefined);
  const fs = fieldSelector(q.get('fieldSelector') ?? undefined);
  const nsFilter = def.namespaced ? ns : undefined;
  const { table, partial } = acceptParams(req.headers.accept);
  const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;
  const matches = (o: Obj): boolean =>
    (nsFilter === undefined || getPath(o, 'metadata.namespace') === nsFilter) && (!ls || ls(o)) && (!fs || fs(o));
  const render = (o: Obj): Obj => {
    const out = ctx.core.output(def, o);
    if (table)
      return toTable(
        def,
        [out],
        { resourceVersion: String(getPath(o, 'metadata.resourceVersion')) },
        include,
        Date.now(),
      );
    if (partial) return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: out['metadata'] };
    return out;
  };
  // length-prefixed protobuf WatchEvent frames when the client prefers protobuf (built-in kinds only)
  const protobuf = !table && !partial && responseFormat(req.headers.accept, def.crd === undefined) === 'protobuf';
  const ct = table
    ? 'application/json;as=Table;v=v1;g=meta.k8s.io'
    : protobuf
      ? `${PROTOBUF_CT};stream=watch`
      : JSON_CT;
  res.writeHead(200, { 'Content-Type': ct, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const write = (type: string, object: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    const typed = { apiVersion: apiVersionOf(def.group, def.version), kind: def.kind, ...(object as Obj) };
    const frame = protobuf ? encodeWatchEvent(type, typed) : undefined;
    if (frame) res.write(frame);
    else if (!protobuf) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const bucket = ctx.store.bucket(bucketOf(def));
  // Like kube-apiserver's cacher, a watcher that does not keep up is closed (it re-lists), not buffered for without end.
  let live = false;
  const forward = (ev: StoreEvent): void => {
    if (live && res.writableLength > MAX_WATCH_BACKLOG_BYTES) {
      open.end();
      return;
    }
    const now = matches(ev.object);
    if (ev.type === 'MODIFIED' && ev.prev) {
      const before = matches(ev.prev);
      if (now && before) write('MODIFIED', render(ev.object));
      else if (now) write('ADDED', render(ev.object));
      else if (before) write('DELETED', render(ev.object));
      return;
    }
    if (now || (ev.type === 'DELETED' && ev.prev && matches(ev.prev))) write(ev.type, render(ev.object));
  };
  const rvParam = q.get('resourceVersion') ?? '';
  const sendInitial = q.get('sendInitialEvents') === 'true';
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const bookmark = (initialEnd = false): void => {
    write('BOOKMARK', {
      kind: def.kind,
      apiVersion: apiVersionOf(def.group, def.version),
      metadata: {
        resourceVersion: String(ctx.store.resourceVersion),
        ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
      },
    });
  };
  if (sendInitial || rvParam === '' || rvParam === '0') {
    for (const o of bucket.list(nsFilter)) if (matches(o)) write('ADDED', render(o));
    if (sendInitial && bookmarks) bookmark(true);
  } else {
    const n = Number(rvParam);
    const events = Number.isFinite(n) ? bucket.eventsSince(n) : undefined;
    if (!events) {
      const st: StatusBody = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${rvParam} (${bucket.compactedRv + 1})`,
        reason: 'Expired',
        code: 410,
      };
      write('ERROR', st);
      res.end();
      return;
    }
    for (const ev of events) forward(ev);
  }
  const watcher = { ...(nsFilter !== undefined ? { namespace: nsFilter } : {}), onEvent: forward };
  bucket.watchers.add(watcher);
  const timers: NodeJS.Timeout[] = [];
  const open: OpenWatch = {
    resource: def.group === '' ? def.resource : `${def.resource}.${def.group}`,
    end: () => {
      if (!res.writableEnded) res.end();
      cleanup();
    },
  };
  const cleanup = (): void => {
    bucket.watchers.delete(watcher);
    ctx.watches.delete(open);
    for (const t of timers) clearTimeout(t);
  };
  ctx.watches.add(open);
  live = true;
  const timeout = Number(q.get('timeoutSeconds') ?? '0');
  // kube-apiserver: 0 (or none) is minRequestTimeout × [1, 2); a negative timeout ends the watch at once
  const maxSeconds = timeout !== 0 ? Math.max(timeout, 0) : 1800 + Math.floor(ctx.random() * 1800);
  // setTimeout takes at most 2^31-1 ms (a larger delay fires at once); a longer watch is cut at about 24 days
  timers.push(setTimeout(() => open.end(), Math.min(maxSeconds * 1000, 2 ** 31 - 1)));
  if (bookmarks) {
    const iv = setInterval(() => bookmark(), ctx.bookmarkMs);
    timers.push(iv);
  }
  req.on('close', cleanup);
  res.on('close', cleanup);
  res.on('error', cleanup);
};
