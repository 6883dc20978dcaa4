// Runs one engine case on our side and prints the result as JSON: the differential spec runs it in a Node with a
// larger stack (`node --stack-size=…`) for the case that nests 1000 includes, as Go's goroutine stacks allow.
// Usage: node --stack-size=3000 test/engine-run-case.spec-helper.ts <case name>
import { ENGINE_CASES } from './engine-cases.spec-helper.ts';
import { oursEngineCase } from './engine-harness.spec-helper.ts';

const name = process.argv[2];
const c = ENGINE_CASES.find((x) => x.name === name);
if (c === undefined) throw new Error(`no engine case ${String(name)}`);
process.stdout.write(JSON.stringify(oursEngineCase(c)));
