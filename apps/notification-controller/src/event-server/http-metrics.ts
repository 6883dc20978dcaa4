/**
 * The HTTP metrics upstream wraps its servers in (slok/go-http-metrics' Prometheus recorder, prefix `gotk_event`
 * for the event server): request duration and response size histograms and an in-flight gauge, labelled by handler
 * (`/`, or the request path with `--export-http-path-metrics`), method and status code.
 */
import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** Options of {@link registerHttpMetrics}. */
export interface HttpMetricsOptions {
  registry: Registry;
  /** Metric name prefix, e.g. `gotk_event`. */
  prefix: string;
  /** The handler label: the route id (`/`), or the request path when undefined (`--export-http-path-metrics`). */
  handlerID?: string;
}

/** go-http-metrics' default duration buckets (prometheus.DefBuckets). */
const DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** go-http-metrics' size buckets (prometheus.ExponentialBuckets(100, 10, 8)). */
const SizeBuckets = [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Adds the metrics hooks to `app` (before its routes are used). */
export function registerHttpMetrics(app: FastifyInstance, opts: HttpMetricsOptions): void {
  const { registry, prefix } = opts;
  const labels = ['service', 'handler', 'method', 'code'] as const;
  const duration = metric(
    registry,
    `${prefix}_http_request_duration_seconds`,
    () =>
      new Histogram({
        name: `${prefix}_http_request_duration_seconds`,
        help: 'The latency of the HTTP requests.',
        labelNames: labels,
        buckets: DurationBuckets,
        registers: [registry],
      }),
  );
  const size = metric(
    registry,
    `${prefix}_http_response_size_bytes`,
    () =>
      new Histogram({
        name: `${prefix}_http_response_size_bytes`,
        help: 'The size of the HTTP responses.',
        labelNames: labels,
        buckets: SizeBuckets,
        registers: [registry],
      }),
  );
  const inflight = metric(
    registry,
    `${prefix}_http_requests_inflight`,
    () =>
      new Gauge({
        name: `${prefix}_http_requests_inflight`,
        help: 'The number of inflight requests being handled at the same time.',
        labelNames: ['service', 'handler'] as const,
        registers: [registry],
      }),
  );
  const started = new WeakMap<object, bigint>();
  const handlerOf = (url: string) => opts.handlerID ?? url.split('?')[0] ?? url;

  app.addHook('onRequest', async (req) => {
    started.set(req.raw, process.hrtime.bigint());
    inflight.inc({ service: '', handler: handlerOf(req.url) });
  });
  app.addHook('onResponse', async (req, reply) => {
    const handler = handlerOf(req.url);
    inflight.dec({ service: '', handler });
    const t0 = started.get(req.raw);
    const l = { service: '', handler, method: req.method, code: String(reply.statusCode) };
    if (t0 !== undefined) duration.observe(l, Number(process.hrtime.bigint() - t0) / 1e9);
    const length = Number(reply.getHeader('content-length') ?? 0);
    size.observe(l, Number.isFinite(length) ? length : 0);
  });
}
