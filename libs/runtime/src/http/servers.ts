import { fastify, LogController } from 'fastify';
import type { FastifyInstance, FastifyBaseLogger, FastifyReply } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ListenAddress } from '../config/address.ts';

/** A named health check: resolves when healthy, throws (or rejects) with the reason when not. */
export type HealthCheck = () => void | Promise<void>;

/** Named checks of one endpoint, evaluated in insertion order. */
export type HealthChecks = ReadonlyMap<string, HealthCheck>;

/** Options of {@link buildHealthServer}. */
export interface HealthServerOptions {
  /** Checks behind `/healthz` (liveness). */
  healthz?: HealthChecks;
  /** Checks behind `/readyz` (readiness: the manager adds "caches synced"). */
  readyz?: HealthChecks;
  logger?: FastifyBaseLogger;
}

const checkQuery = {
  type: 'object',
  properties: {
    verbose: { type: 'string' },
    exclude: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  },
  additionalProperties: true,
} as const;

const textResponses = { 200: { type: 'string' }, 500: { type: 'string' } } as const;

async function runChecks(
  endpoint: string,
  checks: HealthChecks,
  query: { verbose?: string; exclude?: string | string[] },
): Promise<{ ok: boolean; body: string }> {
  const exclude = new Set(typeof query.exclude === 'string' ? [query.exclude] : (query.exclude ?? []));
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of checks) {
    if (exclude.has(name)) {
      lines.push(`[+]${name} excluded: ok`);
      continue;
    }
    try {
      await check();
      lines.push(`[+]${name} ok`);
    } catch {
      ok = false;
      // Like controller-runtime's healthz handler, the reason stays in the logs, not in the response.
      lines.push(`[-]${name} failed: reason withheld`);
    }
  }
  const verbose = query.verbose !== undefined;
  if (ok) return { ok, body: verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok' };
  return { ok, body: `${lines.join('\n')}\n${endpoint} check failed\n` };
}

interface CheckQuery {
  verbose?: string;
  exclude?: string | string[];
}

function checkRoute(app: FastifyInstance, endpoint: string, checks: HealthChecks): void {
  const answer = async (query: CheckQuery, selected: HealthChecks, reply: FastifyReply): Promise<string> => {
    const { ok, body } = await runChecks(endpoint, selected, query);
    reply.code(ok ? 200 : 500).type('text/plain; charset=utf-8');
    return body;
  };
  app.get<{ Querystring: CheckQuery }>(
    `/${endpoint}`,
    { schema: { querystring: checkQuery, response: textResponses } },
    async (req, reply) => answer(req.query, checks, reply),
  );
  app.get<{ Querystring: CheckQuery; Params: { check: string } }>(
    `/${endpoint}/:check`,
    {
      schema: {
        querystring: checkQuery,
        params: { type: 'object', properties: { check: { type: 'string' } }, required: ['check'] },
        response: { ...textResponses, 404: { type: 'string' } },
      },
    },
    async (req, reply) => {
      const check = checks.get(req.params.check);
      if (!check) {
        reply.code(404).type('text/plain; charset=utf-8');
        return `no such health check: ${req.params.check}\n`;
      }
      return answer(req.query, new Map([[req.params.check, check]]), reply);
    },
  );
}

function newApp(logger: FastifyBaseLogger | undefined): FastifyInstance {
  return fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) });
}

/**
 * The probe server (`--health-addr`, :9440): `/healthz` and `/readyz` (plus `/healthz/<name>`), answering
 * `ok` or a controller-runtime style `[-]<check> failed` listing with 500. Built, not listening.
 */
export function buildHealthServer(opts: HealthServerOptions = {}): FastifyInstance {
  const app = newApp(opts.logger);
  checkRoute(app, 'healthz', opts.healthz ?? new Map());
  checkRoute(app, 'readyz', opts.readyz ?? new Map());
  return app;
}

/** Options of {@link buildMetricsServer}. */
export interface MetricsServerOptions {
  registry: Registry;
  logger?: FastifyBaseLogger;
}

/** The metrics server (`--metrics-addr`, :8080) serving the registry at `/metrics`. Built, not listening. */
export function buildMetricsServer(opts: MetricsServerOptions): FastifyInstance {
  const app = newApp(opts.logger);
  app.get('/metrics', { schema: { response: { 200: { type: 'string' } } } }, async (_req, reply) => {
    reply.type(opts.registry.contentType);
    return opts.registry.metrics();
  });
  return app;
}

/** The address a server is bound to. */
export interface BoundAddress {
  host: string;
  port: number;
  /** `http://host:port/` with IPv6 hosts bracketed. */
  url: string;
}

/**
 * Listens on a {@link ListenAddress} (`host` '' means all interfaces, `port` 0 an ephemeral port) and returns
 * the bound address.
 */
export async function listen(app: FastifyInstance, addr: ListenAddress): Promise<BoundAddress> {
  await app.listen({ host: addr.host === '' ? '0.0.0.0' : addr.host, port: addr.port });
  const info = app.server.address() as AddressInfo;
  const host = info.address;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { host, port: info.port, url: `http://${shown}:${info.port}/` };
}
