// Preloaded into each controller process by the fan-out scenarios (`NODE_OPTIONS=--import=<this file>`): samples
// the V8 heap every 100 ms and, on SIGUSR2, writes the peaks since the previous report to
// `$FLUX_TS_BENCH_PROBE_DIR/<pid>.json`, then starts new peaks. It adds no listener, no request and no work to the
// controller besides one `process.memoryUsage()` call per sample. The controllers do not export Node's process
// metrics (`process_*`, `nodejs_*`) on /metrics, so this is how heapUsed is read from outside.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env['FLUX_TS_BENCH_PROBE_DIR'];

/** What the probe writes on each SIGUSR2. */
export interface ProbeReport {
  pid: number;
  /** Reports written so far, this one included. */
  seq: number;
  /** Peak `heapUsed` sampled since the previous report, bytes. */
  heapUsedPeak: number;
  /** Peak `rss` sampled since the previous report, bytes. */
  rssPeak: number;
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
}

if (dir) {
  let seq = 0;
  let heapUsedPeak = 0;
  let rssPeak = 0;
  const sample = (): NodeJS.MemoryUsage => {
    const m = process.memoryUsage();
    if (m.heapUsed > heapUsedPeak) heapUsedPeak = m.heapUsed;
    if (m.rss > rssPeak) rssPeak = m.rss;
    return m;
  };
  sample();
  setInterval(sample, 100).unref();
  process.on('SIGUSR2', () => {
    const m = sample();
    const report: ProbeReport = {
      pid: process.pid,
      seq: ++seq,
      heapUsedPeak,
      rssPeak,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      rss: m.rss,
      external: m.external,
    };
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(report));
    renameSync(`${file}.tmp`, file);
    heapUsedPeak = m.heapUsed;
    rssPeak = m.rss;
  });
}
