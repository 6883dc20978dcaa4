// Runs every project's lint, typecheck and test targets through Nx, then sums the vitest JSON reports into the
// closing line CI reads: `N passed, N failed`. Hand-written because vitest's own summary is per project.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
console.log(`flux-ts tests on Node ${process.version}`);

// npm test installs the real peers its tests need (Debian packages; a no-op when present): a test never skips for a
// missing tool, and without root the run stops here with the one command that installs them.
const peers = spawnSync('bash', [join(root, 'tools', 'testbed', 'install.sh')], { cwd: root, stdio: 'inherit' });
if (peers.status !== 0) {
  console.log('the test peers are missing and could not be installed; as root, run: bash tools/testbed/install.sh');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const projectDirs = ['apps', 'libs', 'tools', 'e2e', 'bench'].flatMap((top) => {
  const dir = join(root, top);
  if (!existsSync(dir)) return [];
  if (existsSync(join(dir, 'package.json'))) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'package.json')))
    .map((e) => join(dir, e.name));
});
const reportOf = (dir: string): string => join(dir, '.test-results', 'report.json');
// A stale report from an earlier run must not be counted: Nx restores fresh ones from its cache.
for (const dir of projectDirs) rmSync(reportOf(dir), { force: true });

const targets = process.argv.includes('--no-lint') ? 'typecheck,test' : 'lint,typecheck,test';
// CI must run every test, never replay a result from a cache that may have survived on the machine.
const cacheArgs = process.env['CI'] ? ['--skip-nx-cache'] : [];
const nx = spawnSync(
  'npx',
  [
    'nx',
    'run-many',
    '-t',
    targets,
    '--output-style=stream',
    ...cacheArgs,
    ...process.argv.slice(2).filter((a) => a !== '--no-lint'),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  },
);

// Formatting is part of the gate: Prettier over the whole tree (see .prettierignore).
const prettier = process.argv.includes('--no-lint')
  ? { status: 0 }
  : spawnSync('npx', ['prettier', '--check', '.', '--log-level=warn'], { cwd: root, stdio: 'inherit' });
if (prettier.status !== 0) console.log('prettier: files above are not formatted (npm run format)');

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults?: {
    name: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}
let passed = 0;
let failed = 0;
let skipped = 0;
const missing: string[] = [];
// The names of failed tests are repeated just above the closing line, where a truncated CI log still shows them.
const failures: string[] = [];
for (const dir of projectDirs) {
  const file = reportOf(dir);
  if (!existsSync(file)) {
    missing.push(dir.slice(root.length + 1));
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8')) as VitestReport;
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  for (const tf of r.testResults ?? []) {
    const where = tf.name.slice(root.length + 1);
    const failedTests = (tf.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failedTests) {
      const first = (a.failureMessages?.[0] ?? '').split('\n')[0]?.slice(0, 200) ?? '';
      failures.push(`FAILED ${where} > ${a.fullName}: ${first}`);
    }
    if (failedTests.length === 0 && tf.message)
      failures.push(`FAILED ${where}: ${tf.message.split('\n')[0]?.slice(0, 200)}`);
  }
}
for (const line of failures) console.log(line);
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`);
// A project whose lint or typecheck failed, or whose tests crashed before reporting, counts as one failure.
if ((nx.status !== 0 || prettier.status !== 0) && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(nx.status === 0 && prettier.status === 0 && failed === 0 ? 0 : 1);
