/**
 * The write side of git for image-automation-controller: a working clone (with an index, so it can be committed
 * to), switching to a push branch, a commit of every change in the work tree (optionally OpenPGP-signed) and a
 * push (with push options, `src/push-options.ts`), all on isomorphic-git over the same transport as {@link checkout}
 * (HTTP(S) or SSH, auth, proxy, abort signal, redaction).
 */
import fs, { mkdirSync } from 'node:fs';
import git from 'isomorphic-git';
import type * as openpgp from 'openpgp';
import type { GitAuth, GitProxy } from './auth.ts';
import { GitError, InvalidInputError, toGitError } from './errors.ts';
import { formatPushOptions, withPushOptions } from './push-options.ts';
import { formatRevision, resolveRef } from './refs.ts';
import { loadOpenpgp } from './lazy-modules.ts';
import { signSsh } from './ssh-signature.ts';
import type { GitRef } from './refs.ts';
import { displayText, makeTransport } from './transport.ts';
import type { Transport } from './transport.ts';

/** Connection settings shared by {@link cloneWorktree} and {@link pushBranch}. */
export interface RemoteOptions {
  url: string;
  auth?: GitAuth | undefined;
  /** HTTP(S) proxy (`proxySecretRef`). */
  proxy?: GitProxy | undefined;
  signal?: AbortSignal | undefined;
}

/** Options of {@link cloneWorktree}. */
export interface CloneWorktreeOptions extends RemoteOptions {
  /** The checkout ref (GitRepository `spec.ref` or the automation's `git.checkout.ref`). */
  ref?: GitRef | undefined;
  /** Directory to clone into (created). */
  dir: string;
  /** Fetch only the tip (GitShallowClone). */
  shallow?: boolean | undefined;
  /** Local branch to leave checked out: the push branch; fetched from the remote when it exists there. */
  branch?: string | undefined;
  /** Start `branch` from the remote's branch of that name when there is one (GitAllBranchReferences); default true. */
  fromRemoteBranch?: boolean | undefined;
}

/** Result of {@link cloneWorktree}. */
export interface CloneWorktreeResult {
  /** The checked-out commit of the checkout ref. */
  commit: string;
  /** Flux revision of the checkout ref (`main@sha1:<hex>`). */
  revision: string;
  /** Whether the local branch was started from the remote's existing push branch. */
  branchExisted: boolean;
}

async function withRemote<T>(opts: RemoteOptions, context: string, fn: (t: Transport) => Promise<T>): Promise<T> {
  let t: Transport | undefined;
  try {
    opts.signal?.throwIfAborted();
    t = makeTransport(opts.url, opts.auth, opts.signal, opts.proxy);
    return await fn(t);
  } catch (err) {
    const mapped = toGitError(err, context, t?.secrets ?? [], opts.signal);
    if (t) mapped.message = displayText(mapped.message, t);
    throw mapped;
  } finally {
    t?.close();
  }
}

/**
 * Clones the checkout ref into `dir` as a normal working tree (index written) and leaves `branch` (default: the
 * checkout branch) checked out: when the remote has that branch it starts from there, else from the checkout commit.
 */
export async function cloneWorktree(opts: CloneWorktreeOptions): Promise<CloneWorktreeResult> {
  return withRemote(opts, 'unable to clone', async (t) => {
    const refs = await git.listServerRefs({ http: t.http, url: t.url, headers: t.headers, protocolVersion: 1 });
    const remote = refs.map((r) => ({ ref: r.ref, oid: r.oid, ...(r.peeled ? { peeled: r.peeled } : {}) }));
    const resolved = resolveRef(remote, opts.ref ?? {});
    const { dir } = opts;
    mkdirSync(dir, { recursive: true });
    await git.init({ fs, dir });
    await git.setConfig({ fs, dir, path: 'remote.origin.url', value: t.url });
    await git.setConfig({ fs, dir, path: 'remote.origin.fetch', value: '+refs/heads/*:refs/remotes/origin/*' });
    const cache = {};
    const fetchRef = async (ref: string): Promise<void> => {
      await git.fetch({
        fs,
        http: t.http,
        dir,
        url: t.url,
        headers: t.headers,
        cache,
        ref,
        remoteRef: ref,
        singleBranch: true,
        tags: false,
        ...(opts.shallow && resolved.kind !== 'commit' ? { depth: 1 } : {}),
      });
    };
    await fetchRef(resolved.refName);
    const commit = resolved.commit;
    const branchName = opts.branch ?? (resolved.kind === 'branch' ? resolved.revisionName : undefined);
    let branchExisted = false;
    let start = commit;
    if (branchName && opts.branch && opts.branch !== resolved.revisionName && opts.fromRemoteBranch !== false) {
      const remoteBranch = remote.find((r) => r.ref === `refs/heads/${branchName}`);
      if (remoteBranch) {
        await fetchRef(remoteBranch.ref);
        start = remoteBranch.oid;
        branchExisted = true;
      }
    }
    if (branchName) {
      await git.branch({ fs, dir, ref: branchName, object: start, force: true });
      await git.checkout({ fs, dir, ref: branchName, force: true, cache });
    } else {
      await git.checkout({ fs, dir, ref: start, force: true, cache });
    }
    return { commit, revision: formatRevision(resolved.revisionName, commit), branchExisted };
  });
}

/** An OpenPGP signing key: the armored private key (`git.asc`) and its passphrase. */
export interface OpenPgpSigningKey {
  armoredKey: string;
  passphrase?: string | undefined;
}

/** Reads (and decrypts) an armored OpenPGP private key; the message names neither the key nor the passphrase. */
export async function readSigningKey(key: OpenPgpSigningKey): Promise<openpgp.PrivateKey> {
  const pgp = await loadOpenpgp();
  let priv: openpgp.PrivateKey;
  try {
    priv = await pgp.readPrivateKey({ armoredKey: key.armoredKey });
  } catch (err) {
    throw new InvalidInputError('unable to read signing key: not an armored OpenPGP private key', { cause: err });
  }
  if (priv.isDecrypted()) return priv;
  try {
    return await pgp.decryptKey({ privateKey: priv, passphrase: key.passphrase ?? '' });
  } catch {
    throw new InvalidInputError('unable to decrypt signing key: wrong or missing passphrase');
  }
}

/** An SSH signing key (OpenSSH private key and its passphrase), signing as `gpg.format=ssh` does. */
export interface SshSigningKey {
  identity: string;
  passphrase?: string | undefined;
}

function isSshKey(k: openpgp.PrivateKey | SshSigningKey): k is SshSigningKey {
  return typeof (k as SshSigningKey).identity === 'string';
}

/** Options of {@link commitAll}. */
export interface CommitAllOptions {
  dir: string;
  author: { name: string; email: string };
  message: string;
  /** Signs the commit (a `gpgsig` header, as `git commit -S`): an OpenPGP key, or an SSH key (`gpg.format=ssh`). */
  signingKey?: openpgp.PrivateKey | SshSigningKey | undefined;
  /** Commit time (default now). */
  now?: Date | undefined;
}

/**
 * Stages every change of the work tree (modified, added and deleted files) and commits it on the checked-out branch.
 * Returns the new commit's sha, or undefined when nothing changed (no empty commit is made).
 */
export async function commitAll(opts: CommitAllOptions): Promise<string | undefined> {
  const { dir } = opts;
  try {
    const matrix = await git.statusMatrix({ fs, dir });
    let changed = 0;
    for (const [filepath, head, workdir] of matrix) {
      if (workdir === 0 && head === 1) {
        await git.remove({ fs, dir, filepath });
        changed++;
      } else if (workdir === 2) {
        await git.add({ fs, dir, filepath });
        changed++;
      }
    }
    if (changed === 0) return undefined;
    const after = await git.statusMatrix({ fs, dir });
    if (after.every(([, head, workdir, stage]) => head === 1 && workdir === 1 && stage === 1)) return undefined;
    const seconds = Math.floor((opts.now ?? new Date()).getTime() / 1000);
    const who = { name: opts.author.name, email: opts.author.email, timestamp: seconds, timezoneOffset: 0 };
    const key = opts.signingKey;
    return await git.commit({
      fs,
      dir,
      message: opts.message,
      author: who,
      committer: who,
      ...(key
        ? {
            signingKey: 'unused',
            onSign: async ({ payload }: { payload: string }) => {
              if (isSshKey(key)) return { signature: await signSsh(payload, key.identity, key.passphrase) };
              const pgp = await loadOpenpgp();
              const message = await pgp.createMessage({ binary: Buffer.from(payload, 'utf8') });
              const signature = await pgp.sign({ message, signingKeys: key, detached: true, format: 'armored' });
              return { signature: signature as string };
            },
          }
        : {}),
    });
  } catch (err) {
    if (err instanceof GitError) throw err;
    throw new GitError(`unable to commit: ${(err as Error).message}`, { cause: err });
  }
}

/** Options of {@link pushBranch}. */
export interface PushOptions extends RemoteOptions {
  dir: string;
  /** Local ref to push (a branch name or `HEAD`). */
  ref: string;
  /** Remote ref (`refs/heads/<branch>`, `refs/for/main`, …); default the same branch. */
  remoteRef?: string | undefined;
  force?: boolean | undefined;
  /**
   * Push options (`git push -o`, Flux's `git.push.options`): sent as `key=value` lines in key order (an empty value
   * gives `key=`, as go-git). A server that does not advertise `push-options` gets the push without them, as go-git
   * (Flux) sends it, and `onPushOptionsUnsupported` is called.
   */
  options?: Readonly<Record<string, string>> | undefined;
  /** Called when `options` were given and the server does not take push options. */
  onPushOptionsUnsupported?: (() => void) | undefined;
}

/** A push the remote did not take because it has commits the local branch lacks (a non-fast-forward). */
export class PushRejectedError extends GitError {
  override name = 'PushRejectedError';
}

/**
 * Pushes `ref` to the remote (one receive-pack request). A refused update (hook, protection, non-fast-forward)
 * throws: {@link PushRejectedError} for a non-fast-forward, a {@link GitError} naming the server's reason otherwise.
 */
export async function pushBranch(opts: PushOptions): Promise<void> {
  const pushOptions = opts.options ? formatPushOptions(opts.options) : [];
  await withRemote(opts, 'failed to push to remote', async (t) => {
    try {
      const res = await git.push({
        fs,
        http: pushOptions.length > 0 ? withPushOptions(t.http, pushOptions, opts.onPushOptionsUnsupported) : t.http,
        dir: opts.dir,
        url: t.url,
        headers: t.headers,
        ref: opts.ref,
        ...(opts.remoteRef ? { remoteRef: opts.remoteRef } : {}),
        ...(opts.force ? { force: true } : {}),
      });
      if (!res.ok) {
        const reasons = Object.entries(res.refs)
          .filter(([, r]) => !r.ok)
          .map(([ref, r]) => `${ref}: ${r.error}`);
        throw new GitError(
          `failed to push to remote: remote rejected the push (${reasons.join(', ') || res.error || 'unknown reason'})`,
        );
      }
    } catch (err) {
      const e = err as {
        code?: string;
        data?: { reason?: string; result?: { refs?: Record<string, { error?: string }> } };
      };
      if (e.code === 'PushRejectedError')
        throw new PushRejectedError(
          `failed to push to remote: remote rejected the push: ${e.data?.reason ?? 'not fast-forward'}`,
        );
      if (e.code === 'GitPushError') {
        const refs = Object.entries(e.data?.result?.refs ?? {}).map(([ref, r]) => `${ref}: ${r.error ?? 'rejected'}`);
        throw new GitError(
          `failed to push to remote: remote rejected the push (${refs.join(', ') || 'unknown reason'})`,
        );
      }
      throw err;
    }
  });
}
