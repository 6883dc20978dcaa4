import { describe, it, expect } from 'vitest';
import { newLogger, withContext } from './logger.ts';

function sink() {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(s) } };
}

describe('newLogger', () => {
  it('writes JSON lines with level label, ts and msg, honouring the level', () => {
    const { lines, destination } = sink();
    const log = newLogger({ level: 'info', encoding: 'json', destination });
    log.debug('hidden');
    log.info({ extra: 1 }, 'shown');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec.level).toBe('info');
    expect(rec.msg).toBe('shown');
    expect(rec.extra).toBe(1);
    expect(Number.isNaN(Date.parse(String(rec.ts)))).toBe(false);
  });

  it('supports trace and error levels', () => {
    const { lines, destination } = sink();
    newLogger({ level: 'trace', destination }).trace('t');
    expect(JSON.parse(lines[0]!).level).toBe('trace');
    const quiet = sink();
    const log = newLogger({ level: 'error', destination: quiet.destination });
    log.info('no');
    log.error(new Error('boom'), 'failed');
    expect(quiet.lines).toHaveLength(1);
    expect(JSON.parse(quiet.lines[0]!).msg).toBe('failed');
  });

  it('child loggers carry controller, kind, namespace, name, reconcileID and revision', () => {
    const { lines, destination } = sink();
    const log = withContext(newLogger({ destination }), {
      controller: 'gitrepository',
      kind: 'GitRepository',
      namespace: 'flux-system',
      name: 'podinfo',
      reconcileID: 'abc',
      revision: undefined,
    });
    withContext(log, { revision: 'main@sha1:123' }).info('stored artifact');
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec).toMatchObject({
      controller: 'gitrepository',
      kind: 'GitRepository',
      namespace: 'flux-system',
      name: 'podinfo',
      reconcileID: 'abc',
      revision: 'main@sha1:123',
    });
  });

  it('console encoding without pino-pretty writes tab-separated human lines', () => {
    const { lines, destination } = sink();
    const log = newLogger({ encoding: 'console', destination, usePrettyIfInstalled: false, base: { controller: 'x' } });
    log.info('hello world');
    expect(lines).toHaveLength(1);
    const [ts, level, msg, fields] = lines[0]!.trimEnd().split('\t');
    expect(Number.isNaN(Date.parse(ts!))).toBe(false);
    expect(level).toBe('INFO');
    expect(msg).toBe('hello world');
    expect(JSON.parse(fields!)).toEqual({ controller: 'x' });
  });
});
