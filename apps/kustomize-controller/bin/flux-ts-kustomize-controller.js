#!/usr/bin/env node
// Runs on Node >= 24 (type stripping): put /work/main/node_modules/.bin first on PATH so `node` is v24.
import process from 'node:process';
import { main } from '../src/main.ts';

const stop = new globalThis.AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
process.exit(await main(process.argv.slice(2), process.env, process, { signal: stop.signal }));
