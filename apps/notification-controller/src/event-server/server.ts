/**
 * notification-controller's event server (upstream internal/server/event_server.go): `POST /` on `--events-addr`.
 * Like upstream's mux pattern `/`, every path and method reaches the one handler, in upstream's middleware order:
 * read the body (at most 3 MiB, else 413), decode and validate it (400), keep only the metadata Flux alerts on,
 * compute the event key and take its token from the duplicate limiter (429 `Too Many Requests` within
 * `--rate-limit-interval`), then match Alerts and start the dispatch, answering 202 with an empty body (also when
 * no Alert matches). Built, not listening: tests call `inject()`.
 */
import { LogController, fastify } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@flux-ts/runtime';
import type { Registry } from 'prom-client';
import { EventDispatcher } from './dispatcher.ts';
import type { DispatcherDeps } from './dispatcher.ts';
import { EventBodySchema, MaxRequestSizeBytes, cleanupMetadata, eventKey, toFluxEvent } from './event.ts';
import { registerHttpMetrics } from './http-metrics.ts';
import { DuplicateLimiter } from './rate-limiter.ts';

/** Options of {@link buildEventServer}. */
export interface EventServerOptions extends DispatcherDeps {
  /** `--rate-limit-interval` in ms. */
  rateLimitIntervalMs: number;
  /** Clock of the rate limiter (ms since the epoch). */
  nowMs?: () => number;
  /** The manager's metrics registry: `gotk_event_http_*` metrics are recorded there when set. */
  metricsRegistry?: Registry;
  /** `--export-http-path-metrics`: label the metrics with the request path instead of `/`. */
  exportHttpPathMetrics?: boolean;
}

/** The built server and its dispatcher (tests wait on `dispatcher.idle()`). */
export interface EventServer {
  app: FastifyInstance;
  dispatcher: EventDispatcher;
  limiter: DuplicateLimiter;
}

/** Methods whose body is decoded as the event. */
const BodyMethods = ['POST', 'PUT', 'PATCH', 'DELETE'];
/** Every other method Fastify routes: upstream answers them 400 (an empty body is no event). */
const OtherMethods = ['GET', 'HEAD', 'OPTIONS', 'TRACE'];

/** A parse failure answered with 400, never echoing the body. */
class BadRequest extends Error {
  statusCode = 400;
}

function parseJson(_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void {
  try {
    done(null, JSON.parse(body.toString('utf8')));
  } catch (err) {
    done(new BadRequest('decoding the request body failed', { cause: err }));
  }
}

/** RFC 1123 time as Go's `time.RFC1123` formats a UTC time (go-limiter's X-RateLimit-Reset). */
function rfc1123(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', 'UTC');
}

/** Builds the event server; see the module comment. */
export function buildEventServer(opts: EventServerOptions): EventServer {
  const log: Logger = opts.log.child({ name: 'event-server' });
  const dispatcher = new EventDispatcher({ ...opts, log });
  const limiter = new DuplicateLimiter({
    intervalMs: opts.rateLimitIntervalMs,
    ...(opts.nowMs ? { now: opts.nowMs } : {}),
  });
  const app = fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MaxRequestSizeBytes,
    // upstream's 30 s read timeout (the whole request)
    requestTimeout: 30_000,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
  });
  if (opts.metricsRegistry) {
    registerHttpMetrics(app, {
      registry: opts.metricsRegistry,
      prefix: 'gotk_event',
      ...(opts.exportHttpPathMetrics ? {} : { handlerID: '/' }),
    });
  }
  // Any content type is decoded as JSON, as Go's handler ignores Content-Type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MaxRequestSizeBytes }, parseJson);

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 413) {
      log.error(
        { err: `request body exceeds the maximum size of ${MaxRequestSizeBytes.toString()} bytes` },
        'reading the request body failed',
      );
      return reply.code(413).send();
    }
    if (status >= 400 && status < 500) {
      log.error(
        { err: err.validation ? err.message : ((err.cause as Error | undefined)?.message ?? err.message) },
        'decoding the request body failed',
      );
      return reply.code(400).send();
    }
    log.error({ err: err.message }, 'handling the event failed');
    return reply.code(500).send();
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const event = cleanupMetadata(toFluxEvent(req.body));
    const eventLog = log.child({ eventInvolvedObject: event.involvedObject });
    const taken = limiter.take(eventKey(event));
    reply.header('X-RateLimit-Limit', '1');
    reply.header('X-RateLimit-Remaining', '0');
    reply.header('X-RateLimit-Reset', rfc1123(taken.resetAt));
    if (!taken.ok) {
      eventLog.debug('Discarding event, rate limiting duplicate events');
      reply.header('Retry-After', rfc1123(taken.resetAt));
      return reply.code(429).type('text/plain; charset=utf-8').send('Too Many Requests\n');
    }
    await dispatcher.handle(event, eventLog);
    return reply.code(202).send();
  };
  for (const url of ['/', '/*']) {
    app.route({ method: BodyMethods, url, schema: { body: EventBodySchema }, handler });
    // Go's handler reads the (empty) body of any other method and fails to decode it
    app.route({
      method: OtherMethods,
      url,
      handler: async (_req, reply) => {
        log.error({ err: 'unexpected end of JSON input' }, 'decoding the request body failed');
        return reply.code(400).send();
      },
    });
  }
  // methods Fastify knows but no route lists (PROPFIND, …): upstream's handler fails to decode their body too
  app.setNotFoundHandler(async (_req, reply) => reply.code(400).send());
  app.addHook('onClose', async () => dispatcher.close());
  return { app, dispatcher, limiter };
}
