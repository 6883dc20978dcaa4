/**
 * The limits kube-apiserver puts on what a client may send, and the Status errors it answers with. Pure: no I/O, so
 * the patch modules and the store can use them too.
 */
import { StatusError } from './errors.ts';
import { isObj } from './util.ts';

/** kube-apiserver `MaxRequestBodyBytes` (k8s.io/apiserver `server.NewConfig`): bodies above it get 413. */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** etcd's default `--max-request-bytes`: the largest object kube-apiserver can store. */
export const MAX_STORED_OBJECT_BYTES = 1.5 * 1024 * 1024;

/** kube-apiserver `maxJSONPatchOperations`. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

/** kube-apiserver `JSONPatchMaxCopyBytes` (evanphx/json-patch `AccumulatedCopySizeLimit`): what `copy` may add. */
export const JSON_PATCH_MAX_COPY_BYTES = 3 * 1024 * 1024;

/**
 * The deepest nesting of arrays and objects a body may have. Go's encoding/json and go-yaml stop at 10,000; a
 * JavaScript stack does not carry an object that deep through admission, field management and serialization
 * (Node's default stack overflows at about 1,800 levels there, and the `yaml` composer at about 1,000), so we refuse
 * beyond 1,000 levels, with Go's messages. Real objects nest a few dozen levels.
 */
export const MAX_NESTING_DEPTH = 1_000;

/** YAML anchors an alias may resolve to before a document is refused (the `yaml` package's default). */
export const MAX_YAML_ALIAS_COUNT = 100;

/**
 * The most YAML tokens a body that is not JSON may have. The `yaml` package needs about 1 KiB of memory and 10 µs of
 * CPU per token (a 3 MiB flow sequence of `1,1,1,…` takes 1.6 GB and 9 s), so a YAML body is bounded well below
 * {@link MAX_REQUEST_BODY_BYTES}: 250,000 tokens is about 1 MiB of block-style YAML. JSON bodies (what kubectl,
 * client-go and client-node send, also for server-side apply) are parsed as JSON whatever their content type.
 */
export const MAX_YAML_TOKENS = 250_000;

/**
 * What a watch may have written and its client not yet read before the watch is closed. kube-apiserver's cacher closes
 * a watcher whose event buffer stays full ("Forcing watcher close due to unresponsiveness"); the client re-lists.
 */
export const MAX_WATCH_BACKLOG_BYTES = 16 * 1024 * 1024;

/** Go net/http `DefaultMaxHeaderBytes` (kube-apiserver sets `MaxHeaderBytes: 1 << 20`). */
export const MAX_HEADER_BYTES = 1024 * 1024;

/** Go net/http reads this much beyond `MaxHeaderBytes` before it refuses a request line and headers. */
export const HEADER_BYTES_SLACK = 4096;

/** 413 RequestEntityTooLarge, apimachinery `NewRequestEntityTooLargeError`. */
export const requestEntityTooLarge = (message: string, cause?: unknown): StatusError =>
  new StatusError(
    413,
    'RequestEntityTooLarge',
    `Request entity too large: ${message}`,
    undefined,
    cause === undefined ? undefined : { cause },
  );

/** The 413 of a body over {@link MAX_REQUEST_BODY_BYTES} (k8s.io/apiserver `limitedReadBody`). */
export const bodyTooLarge = (): StatusError => requestEntityTooLarge(`limit is ${MAX_REQUEST_BODY_BYTES}`);

/**
 * The first `{` or `[` of a JSON text that opens a level deeper than `max`, as Go's scanner reports it
 * (`invalid character '[' exceeded max depth`), or undefined. A scan of the text, before any object is built.
 */
export const jsonDepthError = (text: string, max = MAX_NESTING_DEPTH): string | undefined => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return `invalid character '${text[i] ?? ''}' exceeded max depth`;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
};

/** The nesting depth and approximate JSON size of a decoded value. */
export interface Measure {
  /** Levels of arrays and objects (a scalar is 0). */
  depth: number;
  /** About the length of its JSON. */
  bytes: number;
}

const scalarBytes = (v: unknown): number => (typeof v === 'string' ? v.length + 2 : String(v).length);

/**
 * Measures a decoded value as its JSON would spell it out: an object shared by several YAML aliases counts at every
 * use. Iterative (safe for any depth) and linear in the distinct objects; undefined for a cycle.
 */
export const measure = (value: unknown): Measure | undefined => {
  if (typeof value !== 'object' || value === null) return { depth: 0, bytes: scalarBytes(value) };
  const done = new Map<object, Measure>();
  const open = new Set<object>();
  const stack: { node: object; expanded: boolean }[] = [{ node: value, expanded: false }];
  const entries = (node: object): [string, unknown][] =>
    Array.isArray(node) ? node.map((v) => ['', v]) : Object.entries(node);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { node: object; expanded: boolean };
    if (!top.expanded) {
      if (done.has(top.node)) {
        stack.pop();
        continue;
      }
      top.expanded = true;
      open.add(top.node);
      for (const [, child] of entries(top.node)) {
        if (typeof child !== 'object' || child === null || done.has(child)) continue;
        if (open.has(child)) return undefined;
        stack.push({ node: child, expanded: false });
      }
      continue;
    }
    stack.pop();
    open.delete(top.node);
    let depth = 0;
    let bytes = 2;
    for (const [key, child] of entries(top.node)) {
      const m = typeof child === 'object' && child !== null ? (done.get(child) as Measure) : undefined;
      depth = Math.max(depth, m?.depth ?? 0);
      bytes += (m?.bytes ?? scalarBytes(child)) + (Array.isArray(top.node) ? 1 : key.length + 4);
    }
    done.set(top.node, { depth: depth + 1, bytes });
  }
  return done.get(value);
};

/**
 * The etcd limit on one object. kube-apiserver stores the encoded object (protobuf for built-in kinds, JSON for
 * custom resources); we measure its JSON.
 *
 * kube-apiserver 1.33 passes etcd's refusal through as a 500 with no reason and the message
 * `etcdserver: request is too large` (kubernetes/kubernetes#112152 is open). A client cannot retry its way out of
 * it, so we keep the message and answer 413 RequestEntityTooLarge, which client code keyed on either the code or the
 * message (`IsRequestEntityTooLargeError`, or a match on "request is too large") recognises.
 */
export const assertStorable = (o: unknown): void => {
  if (!isObj(o)) return;
  const bytes = Buffer.byteLength(JSON.stringify(o));
  if (bytes > MAX_STORED_OBJECT_BYTES)
    throw new StatusError(413, 'RequestEntityTooLarge', 'etcdserver: request is too large');
};
