// `bench git` (issue 5): a depth-1 clone of a generated repository with thousands of files, served by libs/testbed's
// smart-HTTP git server, by @flux-ts/git's checkout() versus `git clone --depth 1 --single-branch`; the no-op path
// (checkout with lastRevision) versus `git ls-remote`; and a pack-size sweep of peak RSS.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, startGitHttpServer } from '@flux-ts/testbed';
import type { GitHttpServer } from '@flux-ts/testbed';
import { generateRepo } from './gen-repo.ts';
import type { GitChildInput, GitChildOutput } from './git-child.ts';
import { fmtMb, fmtMs, fmtRatio, median, medianOrNull, ratio, table, timedSpawnOk } from './measure.ts';

export interface GitBenchOptions {
  /** Timed runs of each side for the main clone and the no-op path (default 3). */
  runs?: number;
  /** Files in the main repository (default 5000). */
  files?: number;
  /** Commits in each generated repository (default 5). */
  commits?: number;
  /** File counts of the pack-size sweep (default 1000, 5000, 20000); empty: no sweep. */
  sweep?: readonly number[];
  /** Timed runs of each side per sweep point (default 1). */
  sweepRuns?: number;
  /** Parent of the temporary directory (default os.tmpdir()). */
  tmpRoot?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface CloneSample {
  /** Our checkout() call inside the child (Node start-up and module loading excluded). */
  oursCallMs: number;
  /** Our child process from spawn to exit (includes Node start-up and loading @flux-ts/git). */
  oursProcessMs: number;
  oursPeakRssKb: number;
  oursBaselineRssKb: number;
  gitMs: number;
  gitPeakRssKb: number | null;
}

export interface CloneSummary {
  files: number;
  commits: number;
  /** Size of the depth-1 pack the git CLI received (its `.git/objects/pack/*.pack`), bytes. */
  packBytes: number;
  samples: CloneSample[];
  ours: { callMs: number; processMs: number; peakRssKb: number; baselineRssKb: number };
  git: { ms: number; peakRssKb: number | null };
  /** Fastest run of each side (under load the minimum is the least disturbed sample). */
  best: { oursCallMs: number; gitMs: number };
  /** ours/git: checkout() call, whole child process, peak RSS (medians), and the fastest runs. */
  ratio: { call: number | null; process: number | null; peakRss: number | null; best: number | null };
}

export interface GitBenchResult {
  scenario: 'git';
  env: { node: string; git: string; cpus: number; loadavg: number[] };
  runs: number;
  clone: CloneSummary;
  noop: {
    runs: number;
    /** Each no-op checkout() call (one child process, `runs` calls in a row). */
    oursCallMs: number[];
    gitMs: number[];
    ours: { callMs: number };
    git: { ms: number };
    ratio: number | null;
    /** Server requests made by our no-op calls (expected: one info/refs per call, no upload-pack). */
    requests: { infoRefs: number; uploadPack: number };
  };
  sweep: CloneSummary[];
}

const CHILD = fileURLToPath(new URL('./git-child.ts', import.meta.url));

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git') continue;
    if (e.isDirectory()) n += countFiles(join(dir, e.name));
    else n++;
  }
  return n;
}

function packBytes(cloneDir: string): number {
  const packDir = join(cloneDir, '.git', 'objects', 'pack');
  return readdirSync(packDir)
    .filter((f) => f.endsWith('.pack'))
    .reduce((sum, f) => sum + statSync(join(packDir, f)).size, 0);
}

class GitBench {
  readonly gitEnv: NodeJS.ProcessEnv;
  readonly tmp: string;
  readonly server: GitHttpServer;
  private n = 0;

  constructor(tmp: string, server: GitHttpServer) {
    this.tmp = tmp;
    this.server = server;
    const home = join(tmp, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, '.gitconfig'), '');
    this.gitEnv = {
      PATH: process.env['PATH'],
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
      GIT_TERMINAL_PROMPT: '0',
    };
  }

  freshDir(label: string): string {
    return join(this.tmp, 'clones', `${label}-${++this.n}`);
  }

  async ours(input: GitChildInput): Promise<{ out: GitChildOutput; processMs: number }> {
    const r = await timedSpawnOk(process.execPath, [CHILD, JSON.stringify(input)], { noRss: true });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    return { out: JSON.parse(line) as GitChildOutput, processMs: r.ms };
  }

  gitClone(url: string, dir: string): ReturnType<typeof timedSpawnOk> {
    return timedSpawnOk('git', ['clone', '-q', '--depth', '1', '--single-branch', '--branch', 'main', url, dir], {
      env: this.gitEnv,
    });
  }

  /** `runs` clones of each side, alternating which goes first; the first pair is checked for identical trees. */
  async clone(name: string, files: number, commits: number, runs: number): Promise<CloneSummary> {
    const url = `${this.server.url}/${name}.git`;
    const samples: CloneSample[] = [];
    let pack = 0;
    for (let i = 0; i < runs; i++) {
      const oursDir = this.freshDir(`${name}-ours`);
      const gitDir = this.freshDir(`${name}-git`);
      const doOurs = () => this.ours({ url, dir: oursDir, branch: 'main' });
      const doGit = () => this.gitClone(url, gitDir);
      let o: Awaited<ReturnType<typeof doOurs>>;
      let g: Awaited<ReturnType<typeof doGit>>;
      if (i % 2 === 0) {
        o = await doOurs();
        g = await doGit();
      } else {
        g = await doGit();
        o = await doOurs();
      }
      if (i === 0) {
        const head = (await run('git', ['-C', gitDir, 'rev-parse', 'HEAD'], { env: this.gitEnv })).trim();
        if (o.out.revision !== `main@sha1:${head}`)
          throw new Error(`bench git: our revision ${o.out.revision} differs from git's main@sha1:${head}`);
        const ourCount = countFiles(oursDir);
        const gitCount = countFiles(gitDir);
        if (ourCount !== files || gitCount !== files)
          throw new Error(`bench git: expected ${files} files, ours checked out ${ourCount}, git ${gitCount}`);
        pack = packBytes(gitDir);
      }
      samples.push({
        oursCallMs: o.out.callMs[0] ?? NaN,
        oursProcessMs: o.processMs,
        oursPeakRssKb: o.out.maxRssKb,
        oursBaselineRssKb: o.out.baselineRssKb,
        gitMs: g.ms,
        gitPeakRssKb: g.maxRssKb,
      });
      rmSync(oursDir, { recursive: true, force: true });
      rmSync(gitDir, { recursive: true, force: true });
    }
    const ours = {
      callMs: median(samples.map((s) => s.oursCallMs)),
      processMs: median(samples.map((s) => s.oursProcessMs)),
      peakRssKb: median(samples.map((s) => s.oursPeakRssKb)),
      baselineRssKb: median(samples.map((s) => s.oursBaselineRssKb)),
    };
    const git = {
      ms: median(samples.map((s) => s.gitMs)),
      peakRssKb: medianOrNull(samples.map((s) => s.gitPeakRssKb)),
    };
    const best = {
      oursCallMs: Math.min(...samples.map((s) => s.oursCallMs)),
      gitMs: Math.min(...samples.map((s) => s.gitMs)),
    };
    return {
      files,
      commits,
      packBytes: pack,
      samples,
      ours,
      git,
      best,
      ratio: {
        best: ratio(best.oursCallMs, best.gitMs),
        call: ratio(ours.callMs, git.ms),
        process: ratio(ours.processMs, git.ms),
        peakRss: ratio(ours.peakRssKb, git.peakRssKb),
      },
    };
  }

  async noop(name: string, runs: number): Promise<GitBenchResult['noop']> {
    const url = `${this.server.url}/${name}.git`;
    const head = (await run('git', ['ls-remote', url, 'refs/heads/main'], { env: this.gitEnv })).split('\t')[0] ?? '';
    const lastRevision = `main@sha1:${head}`;
    this.server.resetCounts();
    const o = await this.ours({ url, dir: this.freshDir(`${name}-noop`), branch: 'main', lastRevision, calls: runs });
    const counts = this.server.counts();
    if (!o.out.skipped) throw new Error('bench git: the no-op checkout was not skipped');
    const gitMs: number[] = [];
    for (let i = 0; i < runs; i++)
      gitMs.push((await timedSpawnOk('git', ['ls-remote', url, 'refs/heads/main'], { env: this.gitEnv })).ms);
    const oursMs = median(o.out.callMs);
    const gMs = median(gitMs);
    return {
      runs,
      oursCallMs: o.out.callMs,
      gitMs,
      ours: { callMs: oursMs },
      git: { ms: gMs },
      ratio: ratio(oursMs, gMs),
      requests: { infoRefs: counts.infoRefs, uploadPack: counts.uploadPack },
    };
  }
}

/** Runs the whole `bench git` scenario and returns its numbers. */
export async function runGitBench(opts: GitBenchOptions = {}): Promise<GitBenchResult> {
  const runs = Math.max(1, opts.runs ?? 3);
  const files = opts.files ?? 5000;
  const commits = opts.commits ?? 5;
  const sweep = opts.sweep ?? [1000, 5000, 20000];
  const sweepRuns = Math.max(1, opts.sweepRuns ?? 1);
  const log = opts.log ?? (() => {});
  const tmp = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'flux-ts-bench-git-'));
  const root = join(tmp, 'repos');
  const server = await startGitHttpServer({ root });
  try {
    const bench = new GitBench(tmp, server);
    const gitVersion = (await run('git', ['--version'], { env: bench.gitEnv })).trim();
    const made = new Set<number>();
    const repo = async (n: number): Promise<string> => {
      const name = `bench-${n}`;
      if (!made.has(n)) {
        log(`generating a repository with ${n} files and ${commits} commits`);
        await generateRepo({ root, name, files: n, commits });
        made.add(n);
      }
      return name;
    };
    const main = await repo(files);
    log(`clone: ${runs} runs of each side (${files} files)`);
    const clone = await bench.clone(main, files, commits, runs);
    log(`no-op: ${runs} calls of each side`);
    const noop = await bench.noop(main, runs);
    const sweepResults: CloneSummary[] = [];
    for (const n of sweep) {
      log(`sweep: ${n} files, ${sweepRuns} run(s) of each side`);
      sweepResults.push(await bench.clone(await repo(n), n, commits, sweepRuns));
    }
    return {
      scenario: 'git',
      env: { node: process.version, git: gitVersion, cpus: cpus().length, loadavg: loadavg() },
      runs,
      clone,
      noop,
      sweep: sweepResults,
    };
  } finally {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The human-readable report of {@link runGitBench}. */
export function formatGitResult(r: GitBenchResult): string {
  const c = r.clone;
  const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);
  let s = `bench git: ${r.env.git}, node ${r.env.node}, ${r.env.cpus} cpus, load ${r.env.loadavg.map((x) => x.toFixed(2)).join(' ')}\n\n`;
  s += `depth-1 clone, ${c.files} files, ${c.commits} commits, pack ${mb(c.packBytes)} MB, median of ${r.runs} runs\n`;
  s += table(
    ['side', 'wall ms', 'ratio', 'peak RSS MB', 'ratio'],
    [
      [
        'ours checkout() call',
        fmtMs(c.ours.callMs),
        fmtRatio(c.ratio.call),
        fmtMb(c.ours.peakRssKb),
        fmtRatio(c.ratio.peakRss),
      ],
      ['ours child process', fmtMs(c.ours.processMs), fmtRatio(c.ratio.process), '', ''],
      ['git clone --depth 1', fmtMs(c.git.ms), '1.00x', fmtMb(c.git.peakRssKb), '1.00x'],
    ],
  );
  s += `(fastest runs: ours ${fmtMs(c.best.oursCallMs)} ms, git ${fmtMs(c.best.gitMs)} ms, ${fmtRatio(c.ratio.best)}; `;
  s += `ours: Node baseline RSS before the clone ${fmtMb(c.ours.baselineRssKb)} MB)\n\n`;
  const n = r.noop;
  s += `no-op (lastRevision = remote head), median of ${n.runs} calls; our requests: ${n.requests.infoRefs} info/refs, ${n.requests.uploadPack} upload-pack\n`;
  s += table(
    ['side', 'wall ms', 'ratio'],
    [
      ['ours checkout() call', fmtMs(n.ours.callMs), fmtRatio(n.ratio)],
      ['git ls-remote', fmtMs(n.git.ms), '1.00x'],
    ],
  );
  if (r.sweep.length) {
    s += `\npack-size sweep (median of ${r.sweep[0]?.samples.length ?? 0} run(s) per point)\n`;
    s += table(
      [
        'files',
        'pack MB',
        'ours ms',
        'git ms',
        'ratio',
        'best ratio',
        'ours RSS MB',
        'ours RSS-baseline',
        'git RSS MB',
      ],
      r.sweep.map((p) => [
        String(p.files),
        mb(p.packBytes),
        fmtMs(p.ours.callMs),
        fmtMs(p.git.ms),
        fmtRatio(p.ratio.call),
        fmtRatio(p.ratio.best),
        fmtMb(p.ours.peakRssKb),
        fmtMb(p.ours.peakRssKb - p.ours.baselineRssKb),
        fmtMb(p.git.peakRssKb),
      ]),
    );
  }
  return s;
}
