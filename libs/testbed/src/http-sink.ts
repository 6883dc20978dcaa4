import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a {@link Sink} recorded. */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** `body` parsed as JSON, when it is JSON. */
  json?: unknown;
}

/** A loopback HTTP server that records every request and answers with a programmable status and body. */
export interface Sink {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Answer the next requests with this status and body (default 200, `{}`). */
  respond(status: number, body?: string, headers?: Record<string, string>): void;
  /** Answer per request (overrides {@link respond}). */
  handle(fn: (req: RecordedRequest) => { status: number; body?: string; headers?: Record<string, string> }): void;
  close(): Promise<void>;
}

/** Starts a {@link Sink} on 127.0.0.1. */
export async function startSink(): Promise<Sink> {
  let answer: { status: number; body?: string; headers?: Record<string, string> } = { status: 200, body: '{}' };
  let handler: ((req: RecordedRequest) => typeof answer) | undefined;
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      requests.push(rec);
      const a = handler ? handler(rec) : answer;
      res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(status, body = '{}', headers) {
      answer = { status, body, headers };
    },
    handle(fn) {
      handler = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
