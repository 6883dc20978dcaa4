/** Reading a controller's probe report (bench/src/probe.ts writes `<dir>/<pid>.json` on SIGUSR2). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeReport } from './probe.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Asks the probe of process `pid` for a fresh report and waits up to 2 s for it (null when it did not answer). */
export async function probeReport(dir: string, pid: number): Promise<ProbeReport | null> {
  const file = join(dir, `${pid}.json`);
  const read = (): ProbeReport | null => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ProbeReport;
    } catch {
      return null;
    }
  };
  const seq = read()?.seq ?? 0;
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 2000;
  for (;;) {
    const r = read();
    if (r && r.seq > seq) return r;
    if (Date.now() > deadline) return null;
    await sleep(10);
  }
}
