import * as fs from 'node:fs';
import { mkdirSync } from 'node:fs';
import git from 'isomorphic-git';
import type { GitAuth, GitProxy } from './auth.ts';
import { GitError, InvalidInputError, NotFoundError, toGitError } from './errors.ts';
import { shallowFetchCapabilities, shallowFetchCheckout } from './pack.ts';
import { formatRevision, normaliseRevision, resolveRef } from './refs.ts';
import type { GitRef, RemoteRef, ResolvedRef } from './refs.ts';
import { displayText, makeTransport } from './transport.ts';
import type { Transport } from './transport.ts';

/** A person and time in a commit or tag. */
export interface GitSignature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
  /** Minutes, git's sign convention inverted as in isomorphic-git. */
  timezoneOffset: number;
}

/** The checked-out commit. `payload` is the signed data (the commit without its `gpgsig` header). */
export interface CommitInfo {
  hash: string;
  message: string;
  author: GitSignature;
  committer: GitSignature;
  /** ASCII-armored signature (`gpgsig`), when signed. */
  signature?: string;
  payload: string;
}

/** An annotated tag object. `payload` is the signed data (the tag without its signature). */
export interface TagInfo {
  name: string;
  hash: string;
  /** The object the tag points at. */
  target: string;
  message: string;
  tagger?: GitSignature;
  signature?: string;
  payload: string;
}

/** Options for {@link listRefs}. */
export interface ListRefsOptions {
  url: string;
  auth?: GitAuth;
  /** HTTP(S) proxy (`proxySecretRef`); not used for ssh URLs. */
  proxy?: GitProxy;
  signal?: AbortSignal;
}

/** Options for {@link checkout}. */
export interface CheckoutOptions {
  url: string;
  ref?: GitRef;
  /** Directory to check out into (created; should be empty). */
  dir: string;
  auth?: GitAuth;
  /** HTTP(S) proxy (`proxySecretRef`); not used for ssh URLs. */
  proxy?: GitProxy;
  /** Clone depth for branch/tag/semver/name refs, default 1 (commits are fetched with full history). */
  depth?: number;
  /** The revision of the stored artifact; when the remote ref still points at it nothing is fetched. */
  lastRevision?: string;
  signal?: AbortSignal;
  /** Only these directories are written to `dir`. */
  sparseCheckout?: readonly string[];
  /** Not supported by isomorphic-git: `true` is rejected with {@link InvalidInputError}. */
  recurseSubmodules?: boolean;
}

/** Result of {@link checkout}. */
export type CheckoutResult =
  | {
      skipped: false;
      /** Flux revision: `main@sha1:<hex>`, `v1.0.0@sha1:<hex>`, `refs/heads/main@sha1:<hex>` or `sha1:<hex>`. */
      revision: string;
      commit: CommitInfo;
      /** The annotated tag object, for tag/semver/`refs/tags/…` refs. */
      tag?: TagInfo;
      resolved: ResolvedRef;
    }
  | {
      /** The remote still points at `lastRevision`: nothing was fetched and `dir` was not written. */
      skipped: true;
      revision: string;
      commit: { hash: string };
      resolved: ResolvedRef;
    };

async function withTransport<T>(
  opts: { url: string; auth?: GitAuth | undefined; signal?: AbortSignal | undefined; proxy?: GitProxy | undefined },
  context: string,
  fn: (t: Transport) => Promise<T>,
): Promise<T> {
  const { url, auth, signal, proxy } = opts;
  let t: Transport | undefined;
  try {
    signal?.throwIfAborted();
    t = makeTransport(url, auth, signal, proxy);
    return await fn(t);
  } catch (err) {
    const mapped = toGitError(err, context, t?.secrets ?? [], signal);
    if (t) mapped.message = displayText(mapped.message, t);
    throw mapped;
  } finally {
    t?.close();
  }
}

async function listWith(t: Transport): Promise<RemoteRef[]> {
  const refs = await git.listServerRefs({
    http: t.http,
    url: t.url,
    headers: t.headers,
    protocolVersion: 1,
    peelTags: true,
    symrefs: true,
  });
  return refs.map((r) => ({
    ref: r.ref,
    oid: r.oid,
    ...(r.peeled ? { peeled: r.peeled } : {}),
    ...(r.target ? { target: r.target } : {}),
  }));
}

/**
 * Lists the remote's refs with one ref advertisement (`GET info/refs?service=git-upload-pack`, protocol v1; over SSH
 * one `git-upload-pack` exec that is closed after the advertisement). Annotated tags carry `peeled`.
 */
export async function listRefs(opts: ListRefsOptions): Promise<RemoteRef[]> {
  return withTransport(opts, 'unable to list remote refs', listWith);
}

function signatureOf(s: { name: string; email: string; timestamp: number; timezoneOffset: number }): GitSignature {
  return { name: s.name, email: s.email, timestamp: s.timestamp, timezoneOffset: s.timezoneOffset };
}

const SSH_SIG_MARKER = '-----BEGIN SSH SIGNATURE-----';

/**
 * Splits a raw commit into the signed payload and the `gpgsig` header's value, as git does: the header and its
 * continuation lines are removed wherever they are. (isomorphic-git's own payload only handles an OpenPGP `gpgsig`
 * that is the last header.)
 */
export function splitCommitSignature(raw: string): { payload: string; signature?: string } {
  const end = raw.indexOf('\n\n');
  const headerPart = end < 0 ? raw : raw.slice(0, end);
  const rest = end < 0 ? '' : raw.slice(end);
  const kept: string[] = [];
  const sig: string[] = [];
  let inSig = false;
  for (const line of headerPart.split('\n')) {
    if (line.startsWith('gpgsig ')) {
      inSig = true;
      sig.push(line.slice('gpgsig '.length));
    } else if (inSig && line.startsWith(' ')) sig.push(line.slice(1));
    else {
      inSig = false;
      kept.push(line);
    }
  }
  const payload = kept.join('\n') + rest;
  return sig.length ? { payload, signature: sig.join('\n') + '\n' } : { payload };
}

/**
 * isomorphic-git only splits OpenPGP signatures off tag messages; an SSH-signed tag (`gpg.format=ssh`) keeps its
 * signature at the end of the message, so split it here (the signed data is everything before it).
 */
function splitSshTagSignature(tag: TagInfo): TagInfo {
  if (tag.signature) return tag;
  const at = tag.payload.lastIndexOf(SSH_SIG_MARKER);
  if (at < 0) return tag;
  const m = tag.message.lastIndexOf(SSH_SIG_MARKER);
  return {
    ...tag,
    message: m >= 0 ? tag.message.slice(0, m) : tag.message,
    signature: tag.payload.slice(at),
    payload: tag.payload.slice(0, at),
  };
}

function normaliseSparse(paths: readonly string[]): string[] {
  return paths.map((p) => {
    const clean = p.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    if (!clean || clean.split('/').includes('..')) throw new InvalidInputError(`invalid sparse checkout path '${p}'`);
    return clean;
  });
}

/**
 * Checks out a GitRepository ref into `dir` with isomorphic-git: a shallow (depth 1) single-ref fetch for
 * branch/tag/semver/name, the branch's (or all branches') full history for a commit. When `lastRevision` equals the
 * revision the remote ref resolves to, only the ref advertisement is read and `{ skipped: true }` is returned (for a
 * commit ref, which cannot move, nothing is requested at all).
 */
export async function checkout(opts: CheckoutOptions): Promise<CheckoutResult> {
  if (opts.recurseSubmodules)
    throw new InvalidInputError('recurseSubmodules is not supported by the isomorphic-git backend');
  const sparse = opts.sparseCheckout?.length ? normaliseSparse(opts.sparseCheckout) : undefined;
  const ref = opts.ref ?? {};
  return withTransport(opts, 'unable to clone', async (t) => {
    let resolved: ResolvedRef;
    if (ref.commit) {
      resolved = resolveRef([], ref);
    } else {
      resolved = resolveRef(await listWith(t), ref);
    }
    const expected = formatRevision(resolved.revisionName, resolved.commit);
    if (opts.lastRevision && normaliseRevision(opts.lastRevision) === expected)
      return { skipped: true, revision: expected, commit: { hash: resolved.commit }, resolved };

    mkdirSync(opts.dir, { recursive: true });
    const dir = opts.dir;
    const cache = {};
    await git.init({ fs, dir });
    await git.setConfig({ fs, dir, path: 'remote.origin.url', value: t.url });
    await git.setConfig({ fs, dir, path: 'remote.origin.fetch', value: '+refs/*:refs/remotes/origin/*' });
    let commitOid: string;
    let tag: TagInfo | undefined;
    /** The commit whose tree pack.ts already wrote (its streamed path). */
    let checkedOut: string | undefined;
    if (resolved.kind === 'commit') {
      await git.fetch({
        fs,
        http: t.http,
        dir,
        url: t.url,
        headers: t.headers,
        cache,
        tags: false,
        ...(resolved.refName
          ? { ref: resolved.refName, remoteRef: resolved.refName, singleBranch: true }
          : { singleBranch: false }),
      });
      commitOid = resolved.commit;
      try {
        await git.readCommit({ fs, dir, oid: commitOid, cache });
      } catch (err) {
        throw new NotFoundError(`unable to resolve commit object for '${commitOid}'`, { cause: err });
      }
    } else {
      const want = resolved.tagObject ?? resolved.commit;
      const capabilities = await shallowFetchCapabilities(t);
      let head: string | null | undefined;
      if (capabilities) {
        // Streamed fetch and checkout (pack.ts); isomorphic-git's fetch below serves servers without shallow/side-band.
        const written = await shallowFetchCheckout(
          {
            t,
            dir,
            refName: resolved.refName,
            want,
            commit: resolved.commit,
            depth: opts.depth ?? 1,
            sparse,
            signal: opts.signal,
          },
          capabilities,
        );
        if (written) checkedOut = resolved.commit;
        head = want;
      } else {
        head = (
          await git.fetch({
            fs,
            http: t.http,
            dir,
            url: t.url,
            headers: t.headers,
            cache,
            ref: resolved.refName,
            remoteRef: resolved.refName,
            singleBranch: true,
            depth: opts.depth ?? 1,
            tags: false,
          })
        ).fetchHead;
      }
      if (!head) throw new NotFoundError(`couldn't find remote ref '${resolved.refName}'`);
      const obj = await git.readObject({ fs, dir, oid: head, format: 'content', cache });
      if (obj.type === 'tag') {
        const { tag: tg, payload } = await git.readTag({ fs, dir, oid: head, cache });
        tag = splitSshTagSignature({
          name: tg.tag,
          hash: head,
          target: tg.object,
          message: tg.message,
          ...(tg.tagger ? { tagger: signatureOf(tg.tagger) } : {}),
          ...(tg.gpgsig ? { signature: tg.gpgsig } : {}),
          payload,
        });
        if (tg.type !== 'commit') throw new GitError(`tag '${tg.tag}' points at a ${tg.type}, not a commit`);
        commitOid = tg.object;
      } else {
        commitOid = head;
      }
    }
    if (checkedOut !== commitOid)
      await git.checkout({ fs, dir, ref: commitOid, force: true, cache, ...(sparse ? { filepaths: sparse } : {}) });
    const { commit: c } = await git.readCommit({ fs, dir, oid: commitOid, cache });
    const raw = await git.readObject({ fs, dir, oid: commitOid, format: 'content', cache });
    const { payload, signature } = splitCommitSignature(Buffer.from(raw.object as Uint8Array).toString('utf8'));
    const commit: CommitInfo = {
      hash: commitOid,
      message: c.message,
      author: signatureOf(c.author),
      committer: signatureOf(c.committer),
      ...(signature ? { signature } : {}),
      payload,
    };
    return {
      skipped: false,
      revision: formatRevision(resolved.revisionName, commitOid),
      commit,
      ...(tag ? { tag } : {}),
      resolved: { ...resolved, commit: commitOid },
    };
  });
}
