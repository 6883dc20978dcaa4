import { Writable } from 'node:stream';
import { newLogger, type Logger } from '@flux-ts/runtime';

/** A debug-level logger whose JSON lines are kept, to assert what a controller logs (and what it never logs). */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { logger: newLogger({ level: 'debug', destination: destination as never }), lines };
}
