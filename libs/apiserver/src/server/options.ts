/** The public types of `startApiServer`: its options, test hooks, request counters and the running handle. */
import type { Readable } from 'node:stream';
import type { ApiCore } from '../api.ts';
import type { TrustedIssuer } from '../auth/token.ts';
import type { StoreJournal, StoreSnapshot } from '../store.ts';
import type { Obj } from '../util.ts';

/** An error-injection rule (test hook). */
export interface ErrorRule {
  /** Verb to match (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`); any if unset. */
  verb?: string;
  /** Resource to match (`configmaps`, `deployments.apps`, or plain `deployments`); any if unset. */
  resource?: string;
  /** HTTP status to return (500, 429, 409, …). */
  code: number;
  /** Probability in [0,1]; default 1. */
  probability?: number;
  /** Stop after this many injected errors. */
  times?: number;
}

/** The options of a `pods/log` request (`PodLogOptions`), as the log provider gets them. */
export interface PodLogOptions {
  /** The container (defaulted to the Pod's only one). */
  container: string;
  /** Keep streaming what the container writes until it stops or the client goes. */
  follow: boolean;
  /** The log of the previous (terminated) container instead of the current one. */
  previous: boolean;
  /** Only the last lines. */
  tailLines?: number;
  /** Cap in bytes (the server also enforces it). */
  limitBytes?: number;
  sinceSeconds?: number;
  timestamps: boolean;
}

/**
 * The kubelet's side of `kubectl logs`: a container's log as a stream, or undefined when it has none (the
 * container has not run; with `previous`, it never terminated). Injected, so the API server knows no processes.
 */
export type PodLogProvider = (namespace: string, pod: string, opts: PodLogOptions) => Readable | undefined;

/** Options of `startApiServer`. */
export interface ApiServerOptions {
  /** Port to listen on (0 = any free port). */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Write a kubeconfig here. */
  kubeconfigPath?: string;
  /** Load CRDs (*.yaml, *.yml, *.json, multi-document) from this directory at start. */
  crdsDir?: string;
  /** Added latency per request, in ms. */
  latencyMs?: number;
  /** Use this admin bearer token instead of a random one. */
  adminToken?: string;
  /** Other clusters' token issuers to accept (structured JWT authentication; e.g. remote-cluster workload identity). */
  trustedIssuers?: readonly TrustedIssuer[];
  /** Watch history (events) kept per resource for resume. */
  historySize?: number;
  /** Interval of watch BOOKMARK events when requested; default 10 s. */
  bookmarkIntervalMs?: number;
  /** Workload status simulation (off by default). */
  simulation?: {
    readyAfterMs: number;
    intervalMs?: number;
    /**
     * Namespaces whose Deployments (and their ReplicaSets and Pods) the simulation leaves alone: another controller
     * runs them (libs/embedded's process runtime for flux-system).
     */
    skipDeploymentsIn?: readonly string[];
  };
  /** Random source for error injection (tests may make it deterministic). */
  random?: () => number;
  /** Objects to create at start (after CRDs). */
  objects?: Obj[];
  /** Start from a snapshot (see {@link ApiServer.snapshot}). */
  snapshot?: StoreSnapshot;
  /** Hears every committed change before it is acknowledged (a write-ahead log; see {@link StoreJournal}). */
  journal?: StoreJournal;
  /** Serves `pods/log` (without it, every log request answers that the container is waiting to start). */
  podLogs?: PodLogProvider;
  /** Called once per request when the response is finished (or a watch ends). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** One served request, for {@link ApiServerOptions.onRequest}. */
export interface RequestLogEntry {
  method: string;
  /** Path and query. */
  url: string;
  status: number;
  durationMs: number;
  userAgent: string;
}

/** Test hooks of a running server. */
export interface ApiServerHooks {
  setLatency(ms: number): void;
  /** Inject errors; returns a function removing the rule. */
  injectError(rule: ErrorRule): () => void;
  clearErrors(): void;
  /** Errors injected so far by every rule ever added (removed or cleared ones included). */
  injectedErrors(): number;
  /** End every open watch (optionally only on one resource, e.g. `configmaps` or `deployments.apps`). Returns how many. */
  disconnectWatches(resource?: string): number;
  /** Forget watch history, so resuming from any older resourceVersion gets 410 Gone. */
  compact(): void;
  /** Number of open watches. */
  openWatches(): number;
  /** Turn the workload simulation on (or off with undefined). */
  setSimulation(sim: { readyAfterMs: number; intervalMs?: number } | undefined): void;
}

/** Request counters by `"<verb> <resource>"` (resource as `deployments.apps`, `configmaps`). */
export interface RequestCounters {
  get(verb: string, resource: string): number;
  snapshot(): Record<string, number>;
  reset(): void;
}

/** A running API server. */
export interface ApiServer {
  url: string;
  port: number;
  kubeconfig: string;
  kubeconfigPath?: string;
  adminToken: string;
  caPem: string;
  counters: RequestCounters;
  hooks: ApiServerHooks;
  /** Direct access to storage semantics (bypassing HTTP and authorization). */
  core: ApiCore;
  /** Its ServiceAccount token issuer and verification keys (what `/.well-known/openid-configuration` and `/openid/v1/jwks` serve). */
  serviceAccountIssuer(): { issuer: string; keys: Record<string, unknown>[] };
  snapshot(): StoreSnapshot;
  restore(s: StoreSnapshot): void;
  close(): Promise<void>;
}
