/**
 * The test surface of a server: request counters, and the hooks that add latency, inject errors, end watches and
 * compact history. Both sides live here: the hooks change the server context, the request path reads it.
 */
import { StatusError, qualifiedResource } from '../errors.ts';
import type { ResourceDef } from '../resources.ts';
import type { ActiveErrorRule, ServerContext } from './context.ts';
import type { ApiServerHooks, RequestCounters } from './options.ts';
import type { WorkloadSimulation } from './simulation.ts';

/** Counts one resource request under `"<verb> <resource>"`. */
export const countRequest = (ctx: ServerContext, verb: string, resource: string): void => {
  const key = `${verb} ${resource}`;
  ctx.counts.set(key, (ctx.counts.get(key) ?? 0) + 1);
};

/** The {@link RequestCounters} view of a server's counts. */
export const requestCounters = (ctx: ServerContext): RequestCounters => ({
  get: (verb, resource) => ctx.counts.get(`${verb} ${resource}`) ?? 0,
  snapshot: () => Object.fromEntries(ctx.counts),
  reset: () => ctx.counts.clear(),
});

/** The {@link ApiServerHooks} of a server. */
export const serverHooks = (ctx: ServerContext, simulation: WorkloadSimulation): ApiServerHooks => {
  // every rule ever added, so that injectedErrors() still counts what a removed rule injected
  const added: ActiveErrorRule[] = [];
  return {
    setLatency: (ms) => {
      ctx.latencyMs = ms;
    },
    injectError: (rule) => {
      const r = { ...rule, used: 0 };
      ctx.errorRules.push(r);
      added.push(r);
      return () => {
        ctx.errorRules = ctx.errorRules.filter((x) => x !== r);
      };
    },
    clearErrors: () => {
      ctx.errorRules = [];
    },
    injectedErrors: () => added.reduce((n, r) => n + r.used, 0),
    disconnectWatches: (resource) => {
      let n = 0;
      for (const w of [...ctx.watches]) {
        if (resource !== undefined && w.resource !== resource) continue;
        w.end();
        n++;
      }
      return n;
    },
    compact: () => ctx.store.compactAll(),
    openWatches: () => ctx.watches.size,
    setSimulation: (sim) => simulation.set(sim),
  };
};

/**
 * The error an injection rule makes this request fail with, if one matches (`key` is the counted resource, e.g.
 * `deployments.apps` or `deployments.apps/status`). A matching rule counts the error it injects.
 */
export const injectedError = (
  ctx: ServerContext,
  verb: string,
  key: string,
  def: ResourceDef,
  name: string | undefined,
): StatusError | undefined => {
  for (const rule of ctx.errorRules) {
    if (rule.verb && rule.verb !== verb) continue;
    if (rule.resource && rule.resource !== key && rule.resource !== def.resource) continue;
    if (rule.times !== undefined && rule.used >= rule.times) continue;
    if (ctx.random() >= (rule.probability ?? 1)) continue;
    rule.used++;
    const reason =
      rule.code === 429
        ? 'TooManyRequests'
        : rule.code === 409
          ? 'Conflict'
          : rule.code === 503
            ? 'ServiceUnavailable'
            : 'InternalError';
    const msg =
      rule.code === 429
        ? 'the server has received too many requests and has asked us to try again later'
        : rule.code === 409
          ? `Operation cannot be fulfilled on ${qualifiedResource(def.group, def.resource)} "${name ?? ''}": injected conflict`
          : 'Internal error occurred: injected error';
    return new StatusError(
      rule.code,
      reason,
      msg,
      rule.code === 429 ? { retryAfterSeconds: 1 } : { ...(name ? { name } : {}), kind: def.resource },
    );
  }
  return undefined;
};
