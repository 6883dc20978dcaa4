#!/usr/bin/env node
// Bin shim: Node >= 24 runs the TypeScript entry point directly (type stripping).
import '../src/main.ts';
