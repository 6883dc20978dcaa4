/**
 * Writes deploy/crds from the kind definitions. Usage: `node libs/api/src/gen-crds.ts [--check]`.
 * With `--check` nothing is written; the exit code is 1 and the stale files are named when deploy/crds
 * differs from what the definitions render.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderCRDFiles, staleCRDFiles } from './crds.ts';
import { allKinds } from './registry.ts';

/** deploy/crds of the repository this file lives in. */
export const crdDir = resolve(import.meta.dirname, '..', '..', '..', 'deploy', 'crds');

/** Reads the YAML files currently in a directory (name → content); empty when the directory is missing. */
export function readCRDDir(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return files;
  }
  for (const name of names.filter((n) => n.endsWith('.yaml'))) files.set(name, readFileSync(join(dir, name), 'utf8'));
  return files;
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const rendered = renderCRDFiles(allKinds);
  const onDisk = readCRDDir(crdDir);
  const stale = staleCRDFiles(rendered, onDisk);
  if (check) {
    if (stale.length === 0) return 0;
    process.stderr.write(
      `deploy/crds is stale, run \`npm run gen-crds -w @flux-ts/api\`:\n${stale.map((s) => `  ${s}\n`).join('')}`,
    );
    return 1;
  }
  mkdirSync(crdDir, { recursive: true });
  for (const name of stale) {
    const content = rendered.get(name);
    if (content === undefined) rmSync(join(crdDir, name));
    else writeFileSync(join(crdDir, name), content);
  }
  process.stdout.write(`deploy/crds: ${rendered.size} files, ${stale.length} updated\n`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
