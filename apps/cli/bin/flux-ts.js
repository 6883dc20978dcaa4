#!/usr/bin/env node
// Runs on Node >= 24 (type stripping): npm puts node_modules/.bin (with the pinned Node 24) first on PATH.
import { enableCompileCache } from 'node:module';
import process from 'node:process';

// The compile cache keeps the stripped and compiled sources between runs: a CLI is started often.
enableCompileCache();
const { main } = await import('../src/main.ts');
const stop = new globalThis.AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: stop.signal,
});
