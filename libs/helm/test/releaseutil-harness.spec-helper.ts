// Runs a `helm template` case with the real helm binary, or in-process with runCli (our flags, chart loading,
// values, engine, manifest sorting and output assembly), and collects stdout, stderr, exit code and written files.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HELM_VERSION, helmEnv, installHelm } from '@flux-ts/testbed';
import { writeArchive } from '../src/chart/archive.ts';
import { runCli } from '../src/cli/template.ts';
import {
  RELEASEUTIL_CASES,
  type CliCase,
  type CliExpected,
  type CliExpectedFile,
} from './releaseutil-cases.spec-helper.ts';
import { pool } from './pool.spec-helper.ts';

function write(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

/** Writes the case under work/ and returns the arguments with `<chart>` replaced. */
function writeCase(work: string, c: CliCase): string[] {
  if (c.packaged ?? false) {
    const list = Object.entries(c.files).map(([name, text]) => ({ name, data: Buffer.from(text) }));
    writeFileSync(join(work, 'chart.tgz'), writeArchive('chart', list));
  } else write(join(work, 'chart'), c.files);
  write(work, c.extra ?? {});
  return c.args.map((a) => (a === '<chart>' ? ((c.packaged ?? false) ? 'chart.tgz' : 'chart') : a));
}

function readTree(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) readTree(p, base, out);
    else out[p.slice(base.length + 1)] = readFileSync(p, 'utf8');
  }
  return out;
}

function collect(work: string, name: string, code: number, stdout: string, stderr: string): CliExpected {
  const r: CliExpected = { name, code, stdout, stderr: stderr.split(work).join('<work>') };
  try {
    r.files = readTree(join(work, 'out'));
  } catch {
    // no --output-dir
  }
  return r;
}

/** Runs a case with the real helm. */
export function helmCliCase(helm: string, c: CliCase): Promise<CliExpected> {
  const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-releaseutil-'));
  const args = ['template', ...writeCase(work, c)];
  return new Promise((resolve) => {
    execFile(
      helm,
      args,
      { cwd: work, env: { ...helmEnv(work), TZ: 'UTC' }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        const r = collect(work, c.name, code, stdout, stderr);
        rmSync(work, { recursive: true, force: true });
        resolve(r);
      },
    );
  });
}

/** libs/helm's bin. */
export const HELM_BIN = join(import.meta.dirname, '..', 'bin', 'flux-ts-helm.js');

/** Runs a case with our CLI as a child process (`node bin/flux-ts-helm.js template …`). */
export function binCliCase(c: CliCase): Promise<CliExpected> {
  const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-releaseutil-bin-'));
  const args = [HELM_BIN, 'template', ...writeCase(work, c)];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: work, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        const r = collect(work, c.name, code, stdout, stderr);
        rmSync(work, { recursive: true, force: true });
        resolve(r);
      },
    );
  });
}

/** Runs a case in-process with runCli. */
export function oursCliCase(c: CliCase): CliExpected {
  const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-releaseutil-ours-'));
  try {
    const args = ['template', ...writeCase(work, c)];
    const r = runCli(args, { cwd: work, env: {} });
    return collect(work, c.name, r.code, r.stdout, r.stderr);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Renders every case with helm. */
export async function generateReleaseutilExpected(): Promise<CliExpectedFile> {
  const helm = await installHelm();
  return { helm: HELM_VERSION, cases: await pool(RELEASEUTIL_CASES, 4, (c) => helmCliCase(helm, c)) };
}

/** The fixture's exact text. */
export function releaseutilFixtureText(f: CliExpectedFile): string {
  return JSON.stringify(f, null, 2) + '\n';
}
