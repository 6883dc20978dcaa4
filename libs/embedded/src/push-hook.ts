/**
 * The demo repository's post-receive hook (issue 17): git runs it at the end of every push with one
 * `<old> <new> <ref>` line per moved ref on stdin, and it POSTs those lines to a loopback listener in the `npm start`
 * process, which then sends the demo Receiver GitHub's signed push webhook. The push itself tells the cluster, at
 * once; nothing polls the repository. The hook holds no secret (the webhook token stays in the `npm start` process),
 * and a failed call never fails the push: the GitRepository's interval picks the commit up anyway.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** One ref a push moved, as git hands it to post-receive. */
export interface RefUpdate {
  /** The old object name (all zeros for a new ref). */
  before: string;
  /** The new object name (all zeros for a deleted ref). */
  after: string;
  /** The full ref name, e.g. `refs/heads/main`. */
  ref: string;
}

/** The largest body the listener reads (a push of thousands of refs still fits). */
const MAX_BODY_BYTES = 1 << 20;

const LINE = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (refs\/\S+)$/;

/** Parses post-receive's stdin; lines that are not `<old> <new> <ref>` are skipped. */
export function parseRefUpdates(text: string): RefUpdate[] {
  const updates: RefUpdate[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (m) updates.push({ before: m[1]!, after: m[2]!, ref: m[3]! });
  }
  return updates;
}

/** True when the update deletes its ref (the new object name is all zeros). */
export const isDeletion = (u: RefUpdate): boolean => /^0+$/.test(u.after);

/** A running {@link startPushListener}. */
export interface PushListener {
  /** Where the hook POSTs (`http://127.0.0.1:<port>/post-receive`). */
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port for the hook's POST. `onPush` runs before the answer, so when `git push` returns
 * the updates have been handed over.
 */
export async function startPushListener(onPush: (updates: RefUpdate[]) => void): Promise<PushListener> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/post-receive') {
      res.writeHead(404).end();
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        return;
      }
      const updates = parseRefUpdates(Buffer.concat(chunks).toString('utf8'));
      if (updates.length > 0) onPush(updates);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/post-receive`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A POSIX shell single-quoted word. */
const shQuote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** The Node fallback of the hook (no curl): POSTs stdin to argv[1], at most 5 s, never failing. */
const NODE_POST =
  'const c=[];process.stdin.on("data",(d)=>c.push(d)).on("end",()=>{' +
  'const r=require("node:http").request(process.argv[1],{method:"POST",timeout:5000});' +
  'r.on("error",()=>{});r.on("timeout",()=>r.destroy());r.end(Buffer.concat(c));})';

/**
 * The post-receive hook's text: curl when it is installed (a few ms), else `node` (the one running `npm start`,
 * by absolute path, since the hook runs under `git http-backend` with the git server's PATH).
 */
export function postReceiveHook(url: string, node: string): string {
  return [
    '#!/bin/sh',
    '# Written by flux-ts `npm start` at every start: hands the refs this push moved to it, and it sends the demo',
    '# Receiver GitHub-style push webhook. A failure never fails the push.',
    `url=${shQuote(url)}`,
    'if command -v curl >/dev/null 2>&1; then',
    '  curl -fsS -m 5 -o /dev/null -H "Content-Type: text/plain" --data-binary @- "$url" >/dev/null 2>&1',
    'else',
    `  ${shQuote(node)} -e ${shQuote(NODE_POST)} "$url" >/dev/null 2>&1`,
    'fi',
    'exit 0',
    '',
  ].join('\n');
}

/** Writes `hooks/post-receive` of the bare repository (executable), replacing the one of an earlier start. */
export function installPostReceiveHook(bare: string, url: string, node: string = process.execPath): string {
  const dir = join(bare, 'hooks');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'post-receive');
  writeFileSync(file, postReceiveHook(url, node), { mode: 0o755 });
  chmodSync(file, 0o755); // an existing file keeps its mode on write
  return file;
}
