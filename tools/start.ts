// `npm start`: flux-ts on the embedded cluster, or `npm start -- validate …`. This file only reads argv, the
// working directory and signals; everything else is @flux-ts/embedded.
import { join } from 'node:path';
import { main } from '@flux-ts/embedded';

const stop = new AbortController();
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait
    stopping = true;
    stop.abort();
  });
}
const code = await main({
  argv: process.argv.slice(2),
  workspace: join(import.meta.dirname, '..'),
  cwd: process.cwd(),
  io: { stdout: process.stdout, stderr: process.stderr },
  signal: stop.signal,
});
process.exit(code);
