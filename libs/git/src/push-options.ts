/**
 * Git push options (`git push -o key=value`, gitprotocol-pack "push-options") for isomorphic-git, which does not send
 * them: a wrapper around the transport's HTTP client checks that the receive-pack advertisement offers
 * `push-options` and rewrites the receive-pack request, adding the capability to the first command and the option
 * pkt-lines (then a flush) after the command list. Works over HTTP(S) and the SSH transport alike (both speak
 * isomorphic-git's `http` client interface). Hand-written: isomorphic-git has no hook for it and no npm package does it.
 */
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { GitError, InvalidInputError } from './errors.ts';

const FLUSH = Buffer.from('0000');

function pkt(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

/**
 * Formats Flux's `git.push.options` map as push options, as go-git does: `key=value` for every entry (an empty value
 * gives `key=`), here in key order (go-git follows Go's random map order). Keys or values with a newline or NUL are
 * refused, as git refuses them.
 */
export function formatPushOptions(options: Readonly<Record<string, string>>): string[] {
  return Object.keys(options)
    .sort()
    .map((k) => {
      const line = `${k}=${options[k] ?? ''}`;
      if (/[\n\0]/.test(line)) throw new InvalidInputError(`push option '${k}' must not contain a newline or NUL`);
      return line;
    });
}

/** Splits pkt-lines from the start of `buf`, up to and including the first flush; `end` is where the rest starts. */
function readPktLines(buf: Buffer, from = 0): { lines: Buffer[]; end: number } | undefined {
  const lines: Buffer[] = [];
  let pos = from;
  while (pos + 4 <= buf.length) {
    const len = Number.parseInt(buf.subarray(pos, pos + 4).toString('latin1'), 16);
    if (Number.isNaN(len) || (len > 0 && len < 4) || pos + Math.max(len, 4) > buf.length) return undefined;
    if (len === 0) return { lines, end: pos + 4 };
    lines.push(buf.subarray(pos + 4, pos + len));
    pos += len;
  }
  return undefined;
}

/** The capabilities of a receive-pack ref advertisement (smart-HTTP form, `# service=` header optional). */
export function advertisedCapabilities(advertisement: Buffer): string[] {
  let pos = 0;
  for (;;) {
    const section = readPktLines(advertisement, pos);
    if (!section) return [];
    const first = section.lines[0];
    if (first && !first.toString('latin1').startsWith('# service=')) {
      const nul = first.indexOf(0);
      if (nul < 0) return [];
      return first
        .subarray(nul + 1)
        .toString('latin1')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    }
    if (section.end >= advertisement.length) return [];
    pos = section.end;
  }
}

/**
 * Rewrites a receive-pack request body: `push-options` appended to the first command's capability list, and the
 * option pkt-lines plus a flush inserted after the command list's flush (before the pack). A body with no command
 * is returned unchanged.
 */
export function insertPushOptions(body: Buffer, options: readonly string[]): Buffer {
  const cmds = readPktLines(body);
  if (!cmds) throw new GitError('failed to push to remote: malformed receive-pack request');
  const [first, ...more] = cmds.lines;
  if (!first) return body;
  const nl = first[first.length - 1] === 0x0a ? 1 : 0;
  const head = first.subarray(0, first.length - nl);
  const withCaps = Buffer.concat([
    head,
    Buffer.from(head.includes(0) ? ' push-options' : '\0push-options'),
    nl ? Buffer.from('\n') : Buffer.alloc(0),
  ]);
  return Buffer.concat([
    pkt(withCaps),
    ...more.map((l) => pkt(l)),
    FLUSH,
    ...options.map((o) => pkt(o)),
    FLUSH,
    body.subarray(cmds.end),
  ]);
}

async function collect(body: GitHttpResponse['body'] | GitHttpRequest['body']): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  if (body) for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * Wraps an isomorphic-git HTTP client so that its pushes carry `options`, when the receive-pack advertisement offers
 * `push-options`: the receive-pack POST is rewritten by {@link insertPushOptions}. A server that does not offer it gets
 * the push without options, as go-git (Flux) sends it; `onUnsupported` hears of it.
 */
export function withPushOptions(inner: HttpClient, options: readonly string[], onUnsupported?: () => void): HttpClient {
  let supported = false;
  return {
    request: async (req: GitHttpRequest): Promise<GitHttpResponse> => {
      const method = req.method ?? 'GET';
      if (method === 'GET' && req.url.includes('service=git-receive-pack')) {
        const res = await inner.request(req);
        if (res.statusCode !== 200) return res;
        const adv = await collect(res.body);
        supported = advertisedCapabilities(adv).includes('push-options');
        if (!supported) onUnsupported?.();
        return {
          ...res,
          body: (async function* () {
            yield adv;
          })(),
        };
      }
      if (supported && method === 'POST' && req.url.endsWith('/git-receive-pack')) {
        const body = insertPushOptions(await collect(req.body), options);
        // An array body (as isomorphic-git itself passes) is sent with a Content-Length by its node client.
        return inner.request({ ...req, body: [body] as unknown as AsyncIterableIterator<Uint8Array> });
      }
      return inner.request(req);
    },
  };
}
