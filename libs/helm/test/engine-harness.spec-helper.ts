// The engine differential harness: a case is a chart (inline files or a fixture chart directory) plus `helm template`
// flags. Helm's side runs the real binary and splits its output into `# Source:` documents; our side renders the
// chart with renderChart and splits every file as Helm's SplitManifests does (trimmed documents, NOTES.txt left
// out). Both sides give the sorted list of `SOURCE\n<document>` entries, or the error message.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { helmEnv } from '@flux-ts/testbed';
import { loadChart } from '../src/chart/loader.ts';
import { defaultCapabilities } from '../src/chart/render.ts';
import { renderChart } from '../src/engine/render.ts';
import { mergeValues, type ValuesOptions } from '../src/values/options.ts';
import { flagArgs } from './chart-harness.spec-helper.ts';
import { helmErrorMessage } from './helm-oracle.spec-helper.ts';

/** Where the fixture charts live. */
export const CHARTS_DIR = join(import.meta.dirname, 'fixtures', 'charts');

/** One engine case. */
export interface EngineCase {
  name: string;
  /** Inline chart files (paths relative to the chart directory). */
  files?: Record<string, string>;
  /** A chart directory under test/fixtures/charts/ (copied, then `files` written over it). */
  chart?: string;
  /** Files beside the chart (for -f and --set-file). */
  extra?: Record<string, string>;
  flags?: ValuesOptions;
  kubeVersion?: string;
  apiVersions?: string[];
}

/** What helm produced: the sorted `SOURCE\n<document>` entries, or the error. */
export interface EngineExpected {
  name: string;
  docs?: string[];
  error?: string;
}

/** The fixture file. */
export interface EngineExpectedFile {
  helm: string;
  cases: EngineExpected[];
}

function write(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

/** Writes the case's chart under work/chart and its extra files under work/; returns the chart path. */
export function writeEngineCase(work: string, c: EngineCase): string {
  const chartDir = join(work, 'chart');
  if (c.chart !== undefined) cpSync(join(CHARTS_DIR, c.chart), chartDir, { recursive: true });
  write(chartDir, c.files ?? {});
  write(work, c.extra ?? {});
  return chartDir;
}

/** `helm template`'s output as sorted `SOURCE\n<document>` entries. */
export function parseHelmOutput(stdout: string): string[] {
  const heads = [...stdout.matchAll(/^---\n# Source: (.*)\n/gm)];
  const out: string[] = [];
  heads.forEach((m, i) => {
    const start = (m.index ?? 0) + m[0].length;
    const end = i + 1 < heads.length ? (heads[i + 1]?.index ?? stdout.length) : stdout.length;
    out.push(`${m[1] ?? ''}\n${stdout.slice(start, end).replace(/\n$/, '')}`);
  });
  return out.sort();
}

const GO_SPACE = '[\\t\\n\\f\\r ]';
// releaseutil's `(?:^|\s*\n)---\s*` (Go's \s).
const SEP = new RegExp(`(?:^|${GO_SPACE}*\\n)---${GO_SPACE}*`);

/** releaseutil.SplitManifests: the trimmed, non-empty documents of a rendered file. */
export function splitManifests(text: string): string[] {
  return text
    .trim()
    .split(SEP)
    .filter((d) => d !== '')
    .map((d) => d.trim());
}

/** Our side: renderChart's map split as helm template splits it. */
export function renderedDocs(rendered: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [name, text] of rendered) {
    if (name.endsWith('NOTES.txt')) continue;
    for (const d of splitManifests(text)) out.push(`${name}\n${d}`);
  }
  return out.sort();
}

/** Renders one case with the real helm. */
export function helmEngineCase(helm: string, c: EngineCase): Promise<EngineExpected> {
  const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-engine-'));
  const chart = writeEngineCase(work, c);
  const args = ['template', 'rel', chart, '--namespace', 'ns1', ...flagArgs(work, c.flags)];
  if (c.kubeVersion !== undefined) args.push('--kube-version', c.kubeVersion);
  for (const a of c.apiVersions ?? []) args.push('--api-versions', a);
  return new Promise((resolve) => {
    execFile(
      helm,
      args,
      { env: { ...helmEnv(work), TZ: 'UTC' }, cwd: work, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        rmSync(work, { recursive: true, force: true });
        if (err === null) resolve({ name: c.name, docs: parseHelmOutput(stdout) });
        else resolve({ name: c.name, error: helmErrorMessage(stderr).split(work).join('<work>') });
      },
    );
  });
}

/** Our rendering of a case (the map of renderChart), or throws. */
export function oursRender(c: EngineCase, work: string): Map<string, string> {
  const path = writeEngineCase(work, c);
  const chart = loadChart(path);
  const vals = mergeValues({ ...c.flags, valueFiles: (c.flags?.valueFiles ?? []).map((f) => join(work, f)) }, (p) =>
    readFileSync(p.startsWith('/') ? p : join(work, p)),
  );
  return renderChart(chart, vals, {
    release: { name: 'rel', namespace: 'ns1', isInstall: true, revision: 1 },
    capabilities: defaultCapabilities({ kubeVersion: c.kubeVersion, apiVersions: c.apiVersions }),
    sprig: { local: 'UTC' },
  });
}

/** Our result for a case, as helm would print it. */
export function oursEngineCase(c: EngineCase): EngineExpected {
  const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-engine-ours-'));
  try {
    return { name: c.name, docs: renderedDocs(oursRender(c, work)) };
  } catch (e) {
    // helm's message is read back from stderr without a final newline (helmErrorMessage).
    return { name: c.name, error: (e as Error).message.split(work).join('<work>').replace(/\n$/, '') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
