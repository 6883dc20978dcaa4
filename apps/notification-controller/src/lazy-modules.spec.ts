import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The specifiers matching `pattern` that a fresh Node resolves while importing `url` (a module resolve hook). */
function resolvedWhileImporting(url: URL, pattern: RegExp): string[] {
  const script = [
    "import { registerHooks } from 'node:module';",
    'const seen = [];',
    `registerHooks({ resolve(s, c, next) { if (${String(pattern)}.test(s)) seen.push(s); return next(s, c); } });`,
    `await import(${JSON.stringify(url.href)});`,
    'console.log(JSON.stringify(seen));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('modules loaded on first use (issue 22)', () => {
  it('the controller starts without CEL, @flux-ts/schema main entry and the notifier SDKs', () => {
    const pattern = /^@bufbuild\/cel|^@flux-ts\/schema$|^@sentry\/|^@nats-io\/|^@opentelemetry\/(sdk|otlp|resources)/;
    expect(resolvedWhileImporting(new URL('./main.ts', import.meta.url), pattern)).toEqual([]);
  });
});
