import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { Logger as PinoLogger, DestinationStream, LevelWithSilent } from 'pino';

/** The structured logger every runtime part takes (a pino logger). */
export type Logger = PinoLogger;

/** Flux's `--log-level` values. */
export const LogLevels = ['trace', 'debug', 'info', 'error'] as const;
/** One of Flux's `--log-level` values. */
export type LogLevel = (typeof LogLevels)[number];

/** Flux's `--log-encoding` values. */
export const LogEncodings = ['json', 'console'] as const;
/** One of Flux's `--log-encoding` values. */
export type LogEncoding = (typeof LogEncodings)[number];

/** Options of {@link newLogger}. */
export interface NewLoggerOptions {
  level?: LogLevel | LevelWithSilent;
  encoding?: LogEncoding;
  /** Fields on every line (e.g. `{ controller: 'source-controller' }`). */
  base?: Record<string, unknown>;
  /** Where lines go; defaults to stdout. */
  destination?: DestinationStream;
  /** Use pino-pretty for `console` when it is installed (default true); false forces the built-in format. */
  usePrettyIfInstalled?: boolean;
}

/** The keys child loggers carry, matching controller-runtime/Flux log fields. */
export interface LogContext {
  controller?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  reconcileID?: string;
  revision?: string;
}

/**
 * Creates the process logger like Flux's zap setup: JSON lines with `level` as a label, `ts` (RFC 3339) and
 * `msg`; or, for `console`, pino-pretty when installed, else `ts LEVEL msg {fields}` lines (zap console style).
 */
export function newLogger(opts: NewLoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const destination = opts.destination ?? pino.destination({ dest: 1, sync: false });
  const options = {
    level,
    base: opts.base ?? null,
    messageKey: 'msg',
    timestamp: () => `,"ts":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (opts.encoding === 'console') {
    const pretty = opts.usePrettyIfInstalled === false ? undefined : loadPinoPretty();
    const stream = pretty
      ? pretty({ destination, colorize: false, messageKey: 'msg', timestampKey: 'ts', sync: true })
      : consoleStream(destination);
    return pino(options, stream);
  }
  return pino(options, destination);
}

/** A child logger carrying the given context fields (undefined fields are left out). */
export function withContext(log: Logger, ctx: LogContext): Logger {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx)) if (v !== undefined) fields[k] = v;
  return log.child(fields);
}

type PrettyFactory = (opts: Record<string, unknown>) => DestinationStream;

function loadPinoPretty(): PrettyFactory | undefined {
  try {
    // pino-pretty is an optional peer: resolve it synchronously so newLogger stays synchronous.
    const mod = createRequire(import.meta.url)('pino-pretty') as PrettyFactory | { default: PrettyFactory };
    return typeof mod === 'function' ? mod : mod.default;
  } catch {
    return undefined;
  }
}

/** Formats pino JSON lines as zap-console-style text (used when pino-pretty is not installed). */
export function consoleStream(out: DestinationStream): DestinationStream {
  return {
    write(line: string): void {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const { ts, level, msg, ...rest } = rec;
      const parts = [String(ts ?? ''), String(level ?? '').toUpperCase(), String(msg ?? '')];
      if (Object.keys(rest).length > 0) parts.push(JSON.stringify(rest));
      out.write(parts.join('\t') + '\n');
    },
  };
}
