#!/usr/bin/env node
// Runs on Node >= 24 (type stripping): put /work/main/node_modules/.bin first on PATH so `node` is v24.
import process from 'node:process';
import { main } from '../src/main.ts';

process.exit(await main(process.argv.slice(2), process.env, process));
