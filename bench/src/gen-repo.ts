// Generates the repository `bench git` clones: thousands of small YAML-ish files in nested directories, with a few
// commits on `main`, built with the git CLI (libs/testbed's makeRepo) into a bare repository.
import { makeRepo } from '@flux-ts/testbed';
import type { Repo } from '@flux-ts/testbed';
import { prng } from './measure.ts';

export interface GenRepoOptions {
  /** Directory holding the bare repositories (the git server's root). */
  root: string;
  name: string;
  /** Number of files in the head tree. */
  files: number;
  /** Number of commits (the first writes every file, the others each rewrite 5% of them). Default 5. */
  commits?: number;
  /** Average file size in bytes (default 800). */
  fileBytes?: number;
}

const WORDS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Path of file `i`: two levels of directories, 16 × 16 of them, so a 5,000-file tree has ~20 files per directory. */
export function filePath(i: number): string {
  return `apps/team-${(i % 16).toString(16)}/svc-${(Math.floor(i / 16) % 16).toString(16)}/config-${i}.yaml`;
}

function fileContent(i: number, version: number, bytes: number, rnd: () => number): string {
  const lines = [`# file ${i} version ${version}`, 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: cm-${i}`];
  lines.push('data:');
  let size = lines.join('\n').length;
  let k = 0;
  while (size < bytes) {
    let v = '';
    const len = 16 + Math.floor(rnd() * 48);
    for (let j = 0; j < len; j++) v += WORDS[Math.floor(rnd() * WORDS.length)];
    const line = `  key${k++}: ${v}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

/** Creates `<root>/<name>.git` with `files` files on `main` after `commits` commits. */
export async function generateRepo(opts: GenRepoOptions): Promise<Repo> {
  const rnd = prng(opts.files * 7919 + 17);
  const bytes = opts.fileBytes ?? 800;
  const nCommits = Math.max(1, opts.commits ?? 5);
  const first: Record<string, string> = {};
  for (let i = 0; i < opts.files; i++) first[filePath(i)] = fileContent(i, 0, bytes, rnd);
  const commits = [{ label: 'c0', files: first, message: `add ${opts.files} files` }];
  const step = Math.max(1, Math.floor(opts.files / 20));
  for (let c = 1; c < nCommits; c++) {
    const files: Record<string, string> = {};
    for (let j = 0; j < step; j++) {
      const i = (c * step + j) % opts.files;
      files[filePath(i)] = fileContent(i, c, bytes, rnd);
    }
    commits.push({ label: `c${c}`, files, message: `update ${step} files (${c})` });
  }
  return makeRepo({ root: opts.root, name: opts.name, commits });
}
