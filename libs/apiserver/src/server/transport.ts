/**
 * What Go's net/http does before kube-apiserver's handlers run: answering requests Node's parser refused, and
 * refusing request targets that are not URLs.
 */
import type { Duplex } from 'node:stream';

/**
 * Go net/http's answer to a request it cannot parse (kube-apiserver never sees it): a plain-text status line, then
 * the connection is closed.
 */
const plainHttpError = (
  status: '400 Bad Request' | '431 Request Header Fields Too Large',
  proto = 'HTTP/1.1',
): string => `${proto} ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`;

/** How long a refused connection is still read (and dropped) so the client sees the answer (Go: 500 ms). */
const CLOSE_LINGER_MS = 500;

/**
 * Answers a connection whose request Node's parser refused, like Go's net/http: 431 for a request line and headers
 * over `MAX_HEADER_BYTES` (src/limits.ts), 400 otherwise. The rest of what the client sends is read and dropped for
 * a moment, so that it receives the answer instead of a reset.
 */
export const answerClientError = (err: NodeJS.ErrnoException, socket: Duplex): void => {
  if (socket.destroyed || !socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  socket.end(
    err.code === 'HPE_HEADER_OVERFLOW'
      ? plainHttpError('431 Request Header Fields Too Large', 'HTTP/1.0')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n'
        : plainHttpError('400 Bad Request'),
  );
  setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref();
};

/** A request path with a `%` not followed by two hex digits: Go's `url.ParseRequestURI` refuses it (plain 400). */
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** The request target as a URL, or undefined when it is not one (Go answers those with a plain 400). */
export const requestUrl = (target: string): URL | undefined => {
  const rawPath = target.split('?')[0] ?? '';
  if (BAD_ESCAPE.test(rawPath)) return undefined;
  try {
    // origin-form targets (`/api/…`, also `//x`) are paths, never an authority
    return new URL(target.startsWith('/') ? `https://localhost${target}` : target, 'https://localhost');
  } catch {
    return undefined;
  }
};
