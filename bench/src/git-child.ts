// Child process of `bench git`: runs @flux-ts/git's checkout() in a fresh Node process so its peak RSS can be read
// on its own. Input: one JSON argument ({@link GitChildInput}); output: one JSON line ({@link GitChildOutput}).
import { checkout } from '@flux-ts/git';

export interface GitChildInput {
  url: string;
  /** Clone target (created). With `lastRevision` and `calls > 1` it stays untouched (no-op path). */
  dir: string;
  branch: string;
  lastRevision?: string;
  /** Number of checkout() calls to time in this process (default 1). */
  calls?: number;
}

export interface GitChildOutput {
  /** Wall time of each checkout() call, ms (module loading and Node start-up excluded). */
  callMs: number[];
  skipped: boolean;
  revision: string;
  /** RSS after Node start-up and the import of @flux-ts/git, KiB. */
  baselineRssKb: number;
  /** Peak RSS of this process (getrusage ru_maxrss), KiB. */
  maxRssKb: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as GitChildInput;
const baselineRssKb = Math.round(process.memoryUsage().rss / 1024);
const callMs: number[] = [];
let last: Awaited<ReturnType<typeof checkout>> | undefined;
for (let i = 0; i < (input.calls ?? 1); i++) {
  const t0 = performance.now();
  last = await checkout({
    url: input.url,
    dir: input.dir,
    ref: { branch: input.branch },
    ...(input.lastRevision ? { lastRevision: input.lastRevision } : {}),
  });
  callMs.push(performance.now() - t0);
}
const out: GitChildOutput = {
  callMs,
  skipped: last?.skipped ?? false,
  revision: last?.revision ?? '',
  baselineRssKb,
  maxRssKb: process.resourceUsage().maxRSS,
};
process.stdout.write(JSON.stringify(out) + '\n');
