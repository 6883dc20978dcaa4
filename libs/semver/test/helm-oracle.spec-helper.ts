// Renders the table with the real helm binary: a tiny chart whose values hold each case's strings (so no quoting
// reaches the template) and one manifest per case printing its result base64-encoded. A case that fails makes the
// whole `helm template` fail with that case's error, so the cases are rendered in chunks: the failing case's
// error is recorded, the case leaves the chunk, and the chunk is rendered again.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELM_VERSION, helmEnv, installHelm } from '@flux-ts/testbed';
import type { ExpectedFile, Result, SemverCase } from './cases.spec-helper.ts';

const CHART = 's';
const CHUNK = 24;
const PARALLEL = 8;

/** The template of a case: Sprig's semverCompare, semver and Version.Compare. */
function template(c: SemverCase): string {
  const a = `.Values.c.${c.id}.a`;
  const b = `.Values.c.${c.id}.b`;
  let expr: string;
  if (c.kind === 'check') expr = `semverCompare ${a} ${b} | toString`;
  else if (c.kind === 'compare') expr = `(semver ${a}).Compare (semver ${b}) | toString`;
  else {
    return (
      `{{- $v := semver ${a} -}}\n` +
      `out: {{ list $v.String (toString $v.Major) (toString $v.Minor) (toString $v.Patch) $v.Prerelease ` +
      `$v.Metadata $v.Original | toJson | b64enc | quote }}\n`
    );
  }
  return `out: {{ ${expr} | b64enc | quote }}\n`;
}

function writeChart(dir: string, cases: readonly SemverCase[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${CHART}\nversion: 0.1.0\n`);
  const values = Object.fromEntries(cases.map((c) => [c.id, { a: c.args[0] ?? '', b: c.args[1] ?? '' }]));
  writeFileSync(join(dir, 'values.yaml'), JSON.stringify({ c: values }) + '\n');
  for (const c of cases) writeFileSync(join(dir, 'templates', `${c.id}.yaml`), template(c));
}

function helmTemplate(helm: string, dir: string): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(helm, ['template', 'x', dir], { env: helmEnv(dir), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ ok: err === null, stdout, stderr }),
    );
  });
}

/** The case a helm error names and the error of the function it called (`error calling semver: …`). */
function failure(stderr: string): { id: string; message: string } | undefined {
  const m = new RegExp(`${CHART}/templates/(c[0-9]+)\\.yaml:.*?: error calling [A-Za-z]+: (.*)$`, 'm').exec(stderr);
  return m ? { id: m[1] ?? '', message: m[2] ?? '' } : undefined;
}

async function renderChunk(helm: string, work: string, chunk: SemverCase[], out: Map<string, Result>): Promise<void> {
  const dir = mkdtempSync(join(work, 'chunk-'));
  let rest = chunk;
  while (rest.length > 0) {
    writeChart(dir, rest);
    const r = await helmTemplate(helm, dir);
    if (!r.ok) {
      const f = failure(r.stderr);
      const c = rest.find((x) => x.id === f?.id);
      if (f === undefined || c === undefined) throw new Error(`helm failed on no case of the table: ${r.stderr}`);
      out.set(c.id, { kind: c.kind, args: c.args, error: f.message });
      rest = rest.filter((x) => x !== c);
      continue;
    }
    const re = new RegExp(`^# Source: ${CHART}/templates/(c[0-9]+)\\.yaml\\nout: "([A-Za-z0-9+/=]*)"$`, 'gm');
    const outputs = new Map([...r.stdout.matchAll(re)].map((m) => [m[1] ?? '', m[2] ?? '']));
    for (const c of rest) {
      const b64 = outputs.get(c.id);
      if (b64 === undefined) throw new Error(`helm printed no output for ${c.id}:\n${r.stdout}`);
      out.set(c.id, { kind: c.kind, args: c.args, output: Buffer.from(b64, 'base64').toString('utf8') });
    }
    break;
  }
}

/** Installs helm (@flux-ts/testbed) and renders every case with it; results in the order of the cases. */
export async function generateExpected(cases: readonly SemverCase[]): Promise<ExpectedFile> {
  const helm = await installHelm();
  const work = mkdtempSync(join(tmpdir(), 'flux-ts-semver-oracle-'));
  try {
    const results = new Map<string, Result>();
    const chunks: SemverCase[][] = [];
    for (let i = 0; i < cases.length; i += CHUNK) chunks.push(cases.slice(i, i + CHUNK));
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < chunks.length) await renderChunk(helm, work, chunks[next++] as SemverCase[], results);
      }),
    );
    return { helm: HELM_VERSION, cases: cases.map((c) => results.get(c.id) as Result) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
