// Renders the table's cases with the real helm binary: a tiny chart with one partial per case
// (templates/_<case>.tpl, the case text) and one manifest per case that includes it base64-encoded, so the exact
// bytes survive Helm's manifest splitting. Cases that succeed render in ONE `helm template` run; a failing case
// fails the whole run, so each one is moved out and rendered alone to read its error.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmEnv } from '@flux-ts/testbed';
import { CHART, SET_ARGS, valuesYaml, type Expected, type TemplateCase } from './cases.spec-helper.ts';

interface HelmRun {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function helmTemplate(helm: string, chartDir: string, home: string): Promise<HelmRun> {
  const args = ['template', 'x', chartDir, ...SET_ARGS.flatMap((s) => ['--set', s])];
  return new Promise((resolve) => {
    execFile(
      helm,
      args,
      { env: { ...helmEnv(home), TZ: 'UTC' }, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ ok: err === null, stdout, stderr });
      },
    );
  });
}

function writeChart(dir: string, cases: readonly TemplateCase[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${CHART}\nversion: 0.1.0\n`);
  writeFileSync(join(dir, 'values.yaml'), valuesYaml());
  for (const c of cases) {
    writeFileSync(join(dir, 'templates', `_${c.name}.tpl`), c.template);
    writeFileSync(
      join(dir, 'templates', `${c.name}.yaml`),
      `out: {{ include "${CHART}/templates/_${c.name}.tpl" . | b64enc | quote }}\n`,
    );
  }
}

/** The error helm printed, without `Error: ` and the `--debug` hint. */
export function helmErrorMessage(stderr: string): string {
  let s = stderr.replace(/^Error: /, '');
  const hint = s.indexOf('\n\nUse --debug flag to render out invalid YAML');
  if (hint >= 0) s = s.slice(0, hint);
  return s.replace(/\n$/, '');
}

function parseOutputs(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`^# Source: ${CHART}/templates/([a-z0-9-]+)\\.yaml\\nout: "([A-Za-z0-9+/=]*)"$`, 'gm');
  for (const m of stdout.matchAll(re)) out.set(m[1] ?? '', Buffer.from(m[2] ?? '', 'base64').toString('utf8'));
  return out;
}

/** The case a helm error names (its partial or manifest), if any. */
function failingCase(message: string, names: ReadonlySet<string>): string | undefined {
  for (const m of message.matchAll(new RegExp(`${CHART}/templates/_?([a-z0-9-]+)\\.(?:tpl|yaml)`, 'g'))) {
    if (names.has(m[1] ?? '')) return m[1];
  }
  return undefined;
}

async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** Renders every case with helm; returns the results in the order of the cases. */
export async function renderWithHelm(helm: string, cases: readonly TemplateCase[]): Promise<Expected[]> {
  const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-oracle-'));
  try {
    const results = new Map<string, Expected>();
    const alone = async (c: TemplateCase): Promise<void> => {
      const dir = join(work, `alone-${c.name}`);
      writeChart(dir, [c]);
      const r = await helmTemplate(helm, dir, dir);
      if (r.ok) {
        const out = parseOutputs(r.stdout).get(c.name);
        if (out === undefined) throw new Error(`helm printed no output for ${c.name}:\n${r.stdout}`);
        results.set(c.name, { name: c.name, output: out });
      } else results.set(c.name, { name: c.name, error: helmErrorMessage(r.stderr) });
    };
    let batch = cases.filter((c) => !c.error);
    const singles = cases.filter((c) => c.error);
    for (;;) {
      const dir = join(work, 'batch');
      writeChart(dir, batch);
      const r = await helmTemplate(helm, dir, work);
      if (r.ok) {
        const outs = parseOutputs(r.stdout);
        for (const c of batch) {
          const out = outs.get(c.name);
          if (out === undefined) throw new Error(`helm printed no output for ${c.name}`);
          results.set(c.name, { name: c.name, output: out });
        }
        break;
      }
      const msg = helmErrorMessage(r.stderr);
      const bad = failingCase(msg, new Set(batch.map((c) => c.name)));
      if (bad === undefined) throw new Error(`helm failed on no case of the table: ${msg}`);
      singles.push(...batch.filter((c) => c.name === bad));
      batch = batch.filter((c) => c.name !== bad);
    }
    await pool(singles, 8, alone);
    return cases.map((c) => results.get(c.name) as Expected);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
