#!/usr/bin/env node
// Runs on Node >= 24 (type stripping): put /work/main/node_modules/.bin first on PATH so `node` is v24.
import process from 'node:process';

const { main } = await import('../src/main.ts');
const { join } = await import('node:path');

const stop = new globalThis.AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
const workspace = join(import.meta.dirname, '..', '..', '..');
process.exitCode = await main(process.argv.slice(2), workspace, process, stop.signal);
