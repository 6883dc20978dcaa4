/** Fastify probe (/healthz, /readyz) and metrics (/metrics) servers, built without listening, plus a listen helper. */
export { buildHealthServer, buildMetricsServer, listen } from './servers.ts';
export type { HealthCheck, HealthChecks, HealthServerOptions, MetricsServerOptions, BoundAddress } from './servers.ts';
