/**
 * kube-proxy's stand-in: one loopback TCP listener per Service port a process names, forwarding each connection to
 * a Ready pod that the Service selects (resolved at connect time, so a new leader's pod is found as soon as its
 * readiness probe passes). Hand-written: a TCP pipe is a few lines of `node:net`.
 */
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** Finds the loopback port of a Ready endpoint of a Service port, or undefined when none is Ready. */
export type EndpointResolver = (namespace: string, service: string, port: number) => number | undefined;

/** One listener per `namespace/service:port`. */
export class ServiceProxies {
  readonly #servers = new Map<string, { server: Server; port: number; sockets: Set<Socket> }>();
  readonly #resolve: EndpointResolver;
  readonly #fixed: Readonly<Record<string, number>>;

  /**
   * @param resolve finds the endpoint of a connection
   * @param fixedPorts `namespace/service:port` → loopback port to listen on (e.g. the artifact server's, whose
   *   URLs are stored in status and must survive a restart); others get a free port
   */
  constructor(resolve: EndpointResolver, fixedPorts: Readonly<Record<string, number>> = {}) {
    this.#resolve = resolve;
    this.#fixed = fixedPorts;
  }

  /** The loopback port of the listener for this Service port (started on first use). */
  async portOf(namespace: string, service: string, port: number): Promise<number> {
    const key = `${namespace}/${service}:${port}`;
    const have = this.#servers.get(key);
    if (have) return have.port;
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      sockets.add(client);
      client.once('close', () => sockets.delete(client));
      const target = this.#resolve(namespace, service, port);
      if (target === undefined) {
        client.destroy(); // no Ready endpoint: what a client of a Service without endpoints sees (refused)
        return;
      }
      const upstream = createConnection({ host: '127.0.0.1', port: target });
      sockets.add(upstream);
      upstream.once('close', () => sockets.delete(upstream));
      client.pipe(upstream).pipe(client);
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.once('error', close);
      upstream.once('error', close);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#fixed[key] ?? 0, '127.0.0.1', () => resolve());
    });
    const bound = (server.address() as { port: number }).port;
    const raced = this.#servers.get(key);
    if (raced) {
      server.close();
      return raced.port;
    }
    this.#servers.set(key, { server, port: bound, sockets });
    return bound;
  }

  /** The port of an already started listener, if any. */
  knownPort(namespace: string, service: string, port: number): number | undefined {
    return this.#servers.get(`${namespace}/${service}:${port}`)?.port;
  }

  /** Closes every listener and open connection. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#servers.values()].map(
        ({ server, sockets }) =>
          new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
          }),
      ),
    );
    this.#servers.clear();
  }
}
