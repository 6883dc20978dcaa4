/** Extra context the manager hands to runnables. */
export interface RunnableContext {
  /**
   * Aborted when the graceful shutdown deadline passes: runnables must then abort in-flight work. The
   * `signal` passed to `start` is aborted first, meaning "stop taking new work".
   */
  hardStop: AbortSignal;
}

/** Something the manager runs until its signal aborts (controllers, servers, leader-only tasks). */
export interface Runnable {
  /** Runs until `signal` aborts and the runnable has wound down; rejects on a fatal error. */
  start(signal: AbortSignal, ctx?: RunnableContext): Promise<void>;
  /** Whether the runnable waits for leader election (controllers: true; servers: false). Default false. */
  needLeaderElection?: boolean;
}
