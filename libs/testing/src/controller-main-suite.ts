import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import type { Env, FlagSpec, MainIO } from '@flux-ts/runtime';

/** In-memory stdout/stderr for a controller `main`, plus accessors for what was written. */
export interface CapturedIO {
  readonly io: MainIO;
  out(): string;
  err(): string;
}

/** Returns a fresh {@link CapturedIO} whose streams collect everything written to them. */
export function captureIO(): CapturedIO {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => ((out += s), true) },
      stderr: { write: (s: string) => ((err += s), true) },
    },
    out: () => out,
    err: () => err,
  };
}

/** Writes a minimal single-context kubeconfig (server https://127.0.0.1:6443) into `dir`; returns its path. */
export function writeTestKubeconfig(dir: string): string {
  const path = join(dir, 'kubeconfig.yaml');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: test, cluster: {server: "https://127.0.0.1:6443"}}]',
      'contexts: [{name: test, context: {cluster: test, user: test}}]',
      'current-context: test',
      'users: [{name: test, user: {}}]',
      '',
    ].join('\n'),
  );
  return path;
}

/** A controller entry point as exported by each app's `src/main.ts`. */
export type ControllerMain = (argv: readonly string[], env: Env, io: MainIO) => Promise<number>;

/** Inputs for {@link describeControllerMain}. */
export interface ControllerMainSuiteOptions {
  /** Upstream controller name, e.g. `source-controller`. */
  readonly controller: string;
  readonly main: ControllerMain;
  readonly flags: readonly FlagSpec[];
  /** The controller's feature gates with their upstream defaults. */
  readonly featureGates: Readonly<Record<string, boolean>>;
  /** The `--help` notice the app exports. */
  readonly notice: string;
  /** Extra `[argv, message]` cases expected to exit 2, added to the common set. */
  readonly badFlags?: readonly (readonly [readonly string[], string])[];
  /** Config keys of flags upstream does not bind for this controller (asserted absent). */
  readonly omittedKeys?: readonly string[];
  /** `[flag line prefix, expected substring]`: a `--help` line to check, e.g. `['--storage-addr string ', '(default ":9090")']`. */
  readonly helpDefaultLine?: readonly [string, string];
  /**
   * The app runs reconcilers: the notice need not say "not implemented yet", and the start-up path is the app's own
   * (integration) test instead of "exits 1 because no controller is implemented".
   */
  readonly implemented?: boolean;
}

/** The `[argv, message]` bad-flag cases every controller exits 2 on. */
export const commonBadFlags: readonly (readonly [readonly string[], string])[] = [
  [['--foo'], 'unknown flag: --foo'],
  [['--concurrent=lots'], 'invalid argument "lots" for "--concurrent" flag'],
  [['--min-retry-delay=5'], 'invalid argument "5" for "--min-retry-delay" flag: time: missing unit in duration "5"'],
  [['--health-addr=9440'], 'invalid argument "9440" for "--health-addr" flag: address 9440: missing port in address'],
  [
    ['--feature-gates=NoSuchGate=true'],
    `invalid argument for "--feature-gates" flag: feature-gate 'NoSuchGate' not supported`,
  ],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Registers the vitest suites every controller `main` shares: common Flux flag defaults, omitted keys, feature-gate
 * defaults, frozen config, `--help`/`-h` output, exit 1 when started or when no kubeconfig is found, and exit 2 on
 * bad flags. Call it at the top level of an app's `main.spec.ts`; app-specific assertions go beside it.
 */
export function describeControllerMain(options: ControllerMainSuiteOptions): void {
  const { controller, main, flags, featureGates, notice } = options;

  describe(`${controller} flags (shared)`, () => {
    const config = parseFlags(flags, [], {}) as Readonly<Record<string, unknown>> & {
      readonly featureGates: Readonly<Record<string, boolean>>;
    };

    it('shares the common Flux defaults', () => {
      expect(config).toMatchObject({
        logLevel: 'info',
        logEncoding: 'json',
        kubeApiQps: 50,
        kubeApiBurst: 300,
        enableLeaderElection: false,
        leaderElectionLeaseDuration: 35_000,
        leaderElectionRenewDeadline: 30_000,
        leaderElectionRetryPeriod: 5_000,
        leaderElectionReleaseOnCancel: true,
        minRetryDelay: 750,
        maxRetryDelay: 900_000,
        watchAllNamespaces: true,
        tokenCacheMaxDuration: 3_600_000,
        kubeconfig: '',
      });
    });

    if (options.omittedKeys !== undefined && options.omittedKeys.length > 0) {
      const omitted = options.omittedKeys;
      it('omits the flags upstream does not bind', () => {
        for (const key of omitted) expect(Object.keys(config)).not.toContain(key);
      });
    }

    it('rejects a flag that is not in the table', () => {
      expect(() => parseFlags(flags, ['--no-such-flag'], {})).toThrow('unknown flag: --no-such-flag');
    });

    it('defaults the feature gates to upstream values', () => {
      expect(config.featureGates).toEqual(featureGates);
    });

    it('returns a frozen config object', () => {
      expect(Object.isFrozen(config)).toBe(true);
      expect(Object.isFrozen(config.featureGates)).toBe(true);
      expect(() => {
        (config as Record<string, unknown>).concurrent = 99;
      }).toThrow(TypeError);
    });
  });

  describe(`${controller} main`, () => {
    let dir: string;
    let kubeconfig: string;
    let emptyHome: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), `flux-ts-${controller}-`));
      kubeconfig = writeTestKubeconfig(dir);
      emptyHome = join(dir, 'home');
      mkdirSync(emptyHome);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('prints the notice and every flag for --help, exit 0', async () => {
      const c = captureIO();
      expect(await main(['--help'], {}, c.io)).toBe(0);
      const out = c.out();
      expect(out.split('\n')[0]).toBe(notice);
      if (!options.implemented) expect(notice).toContain('not implemented yet');
      expect(out).toContain(`Usage of ${controller}:`);
      for (const flag of flags) expect(out).toMatch(new RegExp(`^ +--${escapeRegExp(flag.name)}( |$)`, 'm'));
      for (const gate of Object.keys(featureGates)) expect(out).toMatch(new RegExp(`^ +${gate} +(true|false)$`, 'm'));
      if (options.helpDefaultLine !== undefined) {
        const [prefix, expected] = options.helpDefaultLine;
        const line = out.split('\n').find((l) => l.trimStart().startsWith(prefix));
        expect(line).toContain(expected);
      }
      expect(c.err()).toBe('');
    });

    it('accepts -h as well', async () => {
      const c = captureIO();
      expect(await main(['-h'], {}, c.io)).toBe(0);
      expect(c.out()).toContain(`Usage of ${controller}:`);
    });

    if (!options.implemented) {
      it('exits 1 when started, because no controller is implemented', async () => {
        const c = captureIO();
        expect(await main(['--kubeconfig', kubeconfig, '--log-level=debug'], { HOME: emptyHome }, c.io)).toBe(1);
        expect(c.err()).toBe(`${controller}: no controllers are implemented yet in this build\n`);
        expect(c.out()).toBe('');
      });
    }

    it('exits 1 with the sources tried when no kubeconfig is found', async () => {
      const c = captureIO();
      expect(await main([], { HOME: emptyHome }, c.io)).toBe(1);
      expect(c.err()).toContain(
        `${controller}: failed to load kubeconfig: no configuration found; tried --kubeconfig (not set)`,
      );
    });

    it.each([...commonBadFlags, ...(options.badFlags ?? [])].map(([argv, message]) => [[...argv], message] as const))(
      'exits 2 on bad flags %j',
      async (argv, message) => {
        const c = captureIO();
        expect(await main(argv, { HOME: emptyHome }, c.io)).toBe(2);
        expect(c.err()).toContain(`${controller}: ${message}`);
        expect(c.out()).toBe('');
      },
    );
  });
}
