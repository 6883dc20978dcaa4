/**
 * One pod of the process runtime: its container as an OS process (restarted with backoff when it exits, as the
 * kubelet's `restartPolicy: Always`), its readiness and liveness probes over HTTP on its mapped loopback ports, and
 * its log file.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { request } from 'node:http';
import type { Probe } from './pod-spec.ts';

/** How a pod's process is started. */
export interface PodLaunch {
  /** The executable and its leading arguments (the image's entrypoint). */
  command: readonly string[];
  /** The container's args after the runtime's rewrites. */
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  logFile: string;
  /** Container port name → mapped loopback port (for the probes). */
  ports: Readonly<Record<string, number>>;
  readinessProbe?: Probe | undefined;
  livenessProbe?: Probe | undefined;
  /** SIGTERM → SIGKILL deadline (the pod's `terminationGracePeriodSeconds`). */
  gracePeriodMs: number;
  probeIntervalMs: number;
  /** Called when the pod's readiness or process changes (the runtime writes the Deployment's status). */
  onChange: () => void;
}

/** A container's end, as the kubelet reports it in `lastState`/`state.terminated`. */
export interface ContainerTermination {
  /** The exit code (128 + the signal's number for a signalled process, as a container runtime reports it). */
  exitCode: number;
  signal: NodeJS.Signals | undefined;
  startedAt: Date;
  finishedAt: Date;
}

/** What the container is doing now (the kubelet's `state`). */
export type ContainerState =
  | { kind: 'waiting'; reason: 'ContainerCreating' }
  | { kind: 'running'; startedAt: Date }
  | { kind: 'waiting'; reason: 'CrashLoopBackOff'; backoffMs: number }
  | { kind: 'terminated'; termination: ContainerTermination };

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Restart backoff: 1 s doubling to 30 s (the kubelet: 10 s to 5 min; shorter here, where a start is cheap). */
const BACKOFF_MS = { first: 1000, max: 30_000, resetAfter: 30_000 };
/** Liveness is judged only after the first success or this long after a start (3 × Kubernetes' 10 s period). */
const LIVENESS_GRACE_MS = 30_000;

/** One HTTP GET; true on a 2xx/3xx answer within a second. */
function httpOk(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) >= 200 && (res.statusCode ?? 500) < 400);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

/** A running pod. */
export class PodProcess {
  readonly name: string;
  readonly #launch: PodLaunch;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping = false;
  #ready = false;
  #readyFailures = 0;
  #liveFailures = 0;
  #livedOnce = false;
  #startedAt = 0;
  #restarts = 0;
  #backoff = 0;
  #timer: NodeJS.Timeout | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #probing = false;
  #lastTermination: ContainerTermination | undefined;
  /** Log file offsets where the current and the previous container started writing. */
  #logStart = 0;
  #previousLogStart: number | undefined;

  constructor(name: string, launch: PodLaunch) {
    this.name = name;
    this.#launch = launch;
  }

  /** Whether the readiness probe passes (no probe: while the process runs). */
  get ready(): boolean {
    return this.#ready;
  }

  /** The process id of the current container, if one runs. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  /** How often the container was restarted. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The container's state now (the kubelet's `state`). */
  get state(): ContainerState {
    const child = this.#child;
    if (!child) return { kind: 'waiting', reason: 'ContainerCreating' };
    if (this.pid !== undefined) return { kind: 'running', startedAt: new Date(this.#startedAt) };
    if (this.#stopping && this.#lastTermination) return { kind: 'terminated', termination: this.#lastTermination };
    return { kind: 'waiting', reason: 'CrashLoopBackOff', backoffMs: this.#backoff };
  }

  /** How the previous container ended (the kubelet's `lastState.terminated`), if one did. */
  get lastTermination(): ContainerTermination | undefined {
    return this.#lastTermination;
  }

  /** The byte ranges of the log file written by the current container (from `current`) and the previous one. */
  get logOffsets(): { current: number; previous: number | undefined } {
    return { current: this.#logStart, previous: this.#previousLogStart };
  }

  /** Whether the pod is stopping or stopped (no restart follows). */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Starts the container and the probes. */
  start(): void {
    this.#spawn();
    this.#probeTimer = setInterval(() => void this.#probe(), this.#launch.probeIntervalMs);
    this.#probeTimer.unref();
  }

  #spawn(): void {
    const [exe, ...lead] = this.#launch.command;
    const fd = openSync(this.#launch.logFile, 'a');
    if (this.#child) this.#previousLogStart = this.#logStart;
    this.#logStart = fstatSync(fd).size;
    const child = spawn(exe!, [...lead, ...this.#launch.args], {
      stdio: ['ignore', fd, fd],
      env: { ...this.#launch.env },
    });
    closeSync(fd);
    this.#child = child;
    this.#startedAt = Date.now();
    this.#livedOnce = false;
    this.#liveFailures = 0;
    this.#readyFailures = 0;
    this.#exited = new Promise<void>((resolve) => {
      let ended = false;
      const done = (): void => {
        // 'error' (a failed spawn) and 'exit' may both come: one end per container
        if (ended) return;
        ended = true;
        resolve();
        this.#onExit();
      };
      child.once('exit', (code, signal) => {
        this.#lastTermination = {
          exitCode: code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0),
          signal: signal ?? undefined,
          startedAt: new Date(this.#startedAt),
          finishedAt: new Date(),
        };
        done();
      });
      child.once('error', () => {
        this.#lastTermination = {
          exitCode: 128,
          signal: undefined,
          startedAt: new Date(this.#startedAt),
          finishedAt: new Date(),
        };
        done();
      });
    });
    this.#launch.onChange();
  }

  #onExit(): void {
    this.#setReady(false);
    if (this.#stopping) return;
    const ranMs = Date.now() - this.#startedAt;
    this.#backoff =
      ranMs >= BACKOFF_MS.resetAfter || this.#backoff === 0
        ? BACKOFF_MS.first
        : Math.min(this.#backoff * 2, BACKOFF_MS.max);
    this.#restarts++;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopping) this.#spawn();
    }, this.#backoff);
    this.#timer.unref();
    this.#launch.onChange();
  }

  #setReady(ready: boolean): void {
    if (this.#ready === ready) return;
    this.#ready = ready;
    this.#launch.onChange();
  }

  async #check(probe: Probe | undefined): Promise<boolean | undefined> {
    const get = probe?.httpGet;
    if (!get) return undefined;
    const port = typeof get.port === 'number' ? get.port : this.#launch.ports[get.port];
    if (port === undefined) return false;
    return httpOk(port, get.path ?? '/');
  }

  async #probe(): Promise<void> {
    if (this.#probing || this.#stopping || this.pid === undefined) return;
    this.#probing = true;
    try {
      const readiness = this.#launch.readinessProbe;
      const ready = await this.#check(readiness);
      if (ready === undefined || ready) {
        this.#readyFailures = 0;
        this.#setReady(true);
      } else if (++this.#readyFailures >= (readiness?.failureThreshold ?? 3) || !this.#ready) {
        this.#setReady(false);
      }
      const liveness = this.#launch.livenessProbe;
      const live = await this.#check(liveness);
      if (live === undefined || live) {
        this.#liveFailures = 0;
        this.#livedOnce = true;
      } else if (this.#livedOnce || Date.now() - this.#startedAt > LIVENESS_GRACE_MS) {
        if (++this.#liveFailures >= (liveness?.failureThreshold ?? 3)) {
          // the kubelet kills a container whose liveness probe fails; restartPolicy Always brings it back
          this.#liveFailures = 0;
          this.#child?.kill('SIGKILL');
        }
      }
    } finally {
      this.#probing = false;
    }
  }

  /** SIGKILL to the container now, synchronously (the runtime's guard when its own process exits). */
  killNow(): void {
    this.#stopping = true;
    this.#child?.kill('SIGKILL');
  }

  /** Stops the pod: SIGTERM, SIGKILL after the grace period; no restart. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#probeTimer);
    clearTimeout(this.#timer);
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), this.#launch.gracePeriodMs);
      await this.#exited;
      clearTimeout(kill);
    }
    this.#setReady(false);
  }
}
