// helm 3.18.0 pkg/action/release_testing.go: the last release's `test` hooks run (filtered by name), their
// last_run (started, completed, phase) recorded in the release.
import type { Release, ReleaseHook } from '../release/storage.ts';
import {
  ActionRun,
  DEFAULT_TIMEOUT_MS,
  ReleaseActionError,
  validateReleaseName,
  type ActionConfig,
} from './configuration.ts';
import { execHook } from './hooks.ts';

/** Options of {@link testRelease} (helm test's flags, helm-controller's test spec). */
export interface TestOptions {
  releaseName: string;
  timeoutMs?: number;
  /** `--filter name=x`: only these test hooks. */
  include?: readonly string[];
  /** `--filter !name=x`: not these. */
  exclude?: readonly string[];
  signal?: AbortSignal;
}

/** action.ReleaseTesting.Run: returns the release with the test hooks' results; throws when a test fails. */
export async function testRelease(cfg: ActionConfig, opts: TestOptions): Promise<Release> {
  const run = new ActionRun(cfg, opts.signal);
  const name = opts.releaseName;
  try {
    validateReleaseName(name);
  } catch (e) {
    throw new Error(`releaseTest: Release name is invalid: ${name}`, { cause: e });
  }
  const rel = await run.last(name);
  const skipped: ReleaseHook[] = [];
  let executing: ReleaseHook[] = rel.hooks ?? [];
  if ((opts.exclude ?? []).length > 0) {
    const next: ReleaseHook[] = [];
    for (const h of executing) ((opts.exclude ?? []).includes(h.name ?? '') ? skipped : next).push(h);
    executing = next;
  }
  if ((opts.include ?? []).length > 0) {
    const next: ReleaseHook[] = [];
    for (const h of executing) ((opts.include ?? []).includes(h.name ?? '') ? next : skipped).push(h);
    executing = next;
  }
  rel.hooks = executing;
  try {
    await execHook(run, rel, 'test', opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch (e) {
    rel.hooks = [...skipped, ...(rel.hooks ?? [])];
    await run.record(rel);
    throw new ReleaseActionError((e as Error).message, rel, e);
  }
  rel.hooks = [...skipped, ...(rel.hooks ?? [])];
  await run.releases.update(`sh.helm.release.v1.${name}.v${rel.version ?? 0}`, rel);
  return rel;
}
