#!/usr/bin/env node
// The compile cache (Node >= 22.1) keeps the stripped and compiled sources between runs: a warm start is ~3x faster.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('../src/main.ts');
