import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from './exec.ts';
import type { GpgKey } from './gpg.ts';
import type { SshSigningKey } from './ssh-git-server.ts';

/** One commit for {@link makeRepo}. */
export interface CommitSpec {
  /** Name to refer to this commit in `tags`, `branches`, `pullRefs` and the result's `commits`. */
  label?: string;
  /** Branch to commit on (created from the current HEAD if missing); default: the repository's default branch. */
  branch?: string;
  /** Files to write (path → content); `null` deletes the file. */
  files?: Record<string, string | null>;
  message?: string;
  /** Sign with `signWith` (gpg). */
  sign?: boolean;
}

/** One tag for {@link makeRepo}. */
export interface TagSpec {
  name: string;
  /** A commit label or a branch name; default: the default branch's head. */
  target?: string;
  /** Annotated (`git tag -a`) instead of lightweight. */
  annotated?: boolean;
  /** Signed annotated tag (`git tag -s`) with `signWith`. */
  sign?: boolean;
  message?: string;
}

/** Options for {@link makeRepo}. */
export interface RepoOptions {
  /** Directory holding bare repositories; the repo is created as `<root>/<name>.git`. */
  root: string;
  name: string;
  /** Default branch (HEAD of the bare repo), default `main`. */
  defaultBranch?: string;
  commits: CommitSpec[];
  /** Extra branches: name → commit label (or existing branch). */
  branches?: Record<string, string>;
  tags?: TagSpec[];
  /** Pull refs: `refs/pull/<N>/head` → commit label. */
  pullRefs?: Record<number, string>;
  /** Key used for commits/tags with `sign: true`: gpg (OpenPGP) or an SSH key (`gpg.format=ssh`). */
  signWith?: GpgKey | SshSigningKey;
}

/** A repository made by {@link makeRepo}. */
export interface Repo extends AsyncDisposable {
  /** Absolute path of the bare repository (`<root>/<name>.git`). */
  readonly path: string;
  /** Path relative to the server root, e.g. `/app.git` (append to an HTTP server URL). */
  readonly urlPath: string;
  /** Commit label → sha. */
  readonly commits: Record<string, string>;
  /** Resolves a ref (branch, tag, `refs/…`, `tag^{}`) in the bare repository to a sha. */
  revParse(ref: string): Promise<string>;
  /** Adds a commit and pushes it; returns its sha. */
  commit(spec: CommitSpec): Promise<string>;
  /** Removes the working copy and the bare repository. */
  close(): Promise<void>;
}

/** Environment for git with no user/system config, a private HOME and fixed identities. */
function gitEnv(home: string, gpg?: GpgKey | SshSigningKey): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GNUPGHOME: gpg && 'home' in gpg ? gpg.home : join(home, '.gnupg'),
    GIT_AUTHOR_NAME: 'Flux Test',
    GIT_AUTHOR_EMAIL: 'flux@test.invalid',
    GIT_COMMITTER_NAME: 'Flux Test',
    GIT_COMMITTER_EMAIL: 'flux@test.invalid',
  };
}

/**
 * Creates a bare repository `<root>/<name>.git` with the git CLI: commits on branches, lightweight/annotated/signed
 * tags, extra branches and `refs/pull/N/head` refs. Git runs with an isolated HOME, GIT_CONFIG_GLOBAL and GNUPGHOME.
 */
export async function makeRepo(opts: RepoOptions): Promise<Repo> {
  const defaultBranch = opts.defaultBranch ?? 'main';
  const bare = join(opts.root, `${opts.name}.git`);
  mkdirSync(opts.root, { recursive: true });
  const work = mkdtempSync(join(opts.root, `.work-${opts.name.replace(/\//g, '_')}-`));
  const home = join(work, '.home');
  mkdirSync(home);
  const env = gitEnv(home, opts.signWith);
  const git = (...args: string[]): Promise<string> => run('git', args, { cwd: join(work, 'repo'), env });
  await run('git', ['init', '-q', '--bare', '-b', defaultBranch, bare], { env });
  await run('git', ['init', '-q', '-b', defaultBranch, join(work, 'repo')], { env });
  const key = opts.signWith;
  const sign = !key
    ? []
    : 'fingerprint' in key
      ? ['-c', `user.signingkey=${key.fingerprint}`]
      : ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key.privateKeyPath}`];
  const commits: Record<string, string> = {};
  let counter = 0;

  const resolve = (target: string): string => commits[target] ?? target;

  const addCommit = async (spec: CommitSpec): Promise<string> => {
    const branch = spec.branch ?? defaultBranch;
    const current = (await git('symbolic-ref', '--short', 'HEAD')).trim();
    if (current !== branch) {
      const exists = await git('rev-parse', '--verify', '-q', `refs/heads/${branch}`).then(
        () => true,
        () => false,
      );
      await git('checkout', '-q', ...(exists ? [branch] : ['-b', branch]));
    }
    for (const [file, content] of Object.entries(spec.files ?? {})) {
      const p = join(work, 'repo', file);
      if (content === null) rmSync(p, { force: true });
      else {
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, content);
      }
    }
    await git('add', '-A');
    counter++;
    const message = spec.message ?? `commit ${spec.label ?? counter}`;
    if (spec.sign && !opts.signWith) throw new Error('failed to sign commit: no signWith key given');
    await git(...(spec.sign ? sign : []), 'commit', '-q', '--allow-empty', ...(spec.sign ? ['-S'] : []), '-m', message);
    const sha = (await git('rev-parse', 'HEAD')).trim();
    if (spec.label) commits[spec.label] = sha;
    return sha;
  };

  const push = async (): Promise<void> => {
    await git(
      'push',
      '-q',
      '--force',
      bare,
      'refs/heads/*:refs/heads/*',
      'refs/tags/*:refs/tags/*',
      'refs/pull/*:refs/pull/*',
    );
  };

  for (const c of opts.commits) await addCommit(c);
  for (const [name, target] of Object.entries(opts.branches ?? {})) await git('branch', '-f', name, resolve(target));
  for (const t of opts.tags ?? []) {
    const target = resolve(t.target ?? defaultBranch);
    if (t.sign) {
      if (!opts.signWith) throw new Error('failed to sign tag: no signWith key given');
      await git(...sign, 'tag', '-s', '-m', t.message ?? `tag ${t.name}`, t.name, target);
    } else if (t.annotated) await git('tag', '-a', '-m', t.message ?? `tag ${t.name}`, t.name, target);
    else await git('tag', t.name, target);
  }
  for (const [n, target] of Object.entries(opts.pullRefs ?? {}))
    await git('update-ref', `refs/pull/${n}/head`, resolve(target));
  await push();

  const close = async (): Promise<void> => {
    rmSync(work, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  };
  return {
    path: bare,
    urlPath: `/${opts.name}.git`,
    commits,
    revParse: async (ref) => (await run('git', ['rev-parse', ref], { cwd: bare, env })).trim(),
    commit: async (spec) => {
      const sha = await addCommit(spec);
      await push();
      return sha;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
