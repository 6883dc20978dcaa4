#!/usr/bin/env node
// Runs on Node >= 24 (type stripping): put /work/main/node_modules/.bin first on PATH so `node` is v24.
import { enableCompileCache } from 'node:module';
import process from 'node:process';

// The compile cache (Node >= 22.1) keeps the stripped and compiled sources between starts: a warm start is ~3x faster.
enableCompileCache();
// through the app's own index: a dynamic import of a workspace lib here would make every static import of it in
// src a lint error (@nx/enforce-module-boundaries, lazy-loaded libraries)
const { main, superviseControllerProcess } = await import('../src/index.ts');
const { tmpdir } = await import('node:os');

const stop = new globalThis.AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
// A private TMPDIR (stale ones of killed predecessors reaped), and an exit when a supervising parent dies.
const supervisor = superviseControllerProcess('image-reflector-controller', {
  env: process.env,
  pid: process.pid,
  tmpRoot: tmpdir(),
  onParentGone: () => stop.abort(),
});
const code = await main(process.argv.slice(2), process.env, process, { signal: stop.signal });
supervisor.close();
process.exit(code);
