import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createNotifier, prepareNotifier } from './factory.ts';
import type { ProviderSettings } from './types.ts';

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

const index = new URL('./index.ts', import.meta.url);

describe('SDKs loaded on first use (issue 22)', () => {
  it('are not imported with the notifier: Pub/Sub and Event Hubs load on the first send of their provider', () => {
    expect(resolvedWhileImporting(index, /^@(azure|google-cloud|aws-sdk)\//)).toEqual([]);
  });

  it('Sentry, NATS and OpenTelemetry are not imported with the notifier', () => {
    expect(resolvedWhileImporting(index, /^@sentry\/|^@nats-io\/|^@opentelemetry\//)).toEqual([]);
  });

  it('neither is CEL (commitStatusExpr) nor the main entry of @flux-ts/schema', () => {
    expect(resolvedWhileImporting(index, /^@bufbuild\/cel|^@flux-ts\/schema$/)).toEqual([]);
  });

  it('prepareNotifier imports what a sentry Provider and a commitStatusExpr need at construction', async () => {
    const base = { address: '', headers: {}, provider: { name: 'p', namespace: 'ns', uid: 'u' } };
    const sentry = { ...base, type: 'sentry', address: 'https://key@sentry.example.com/42' } as ProviderSettings;
    await prepareNotifier(sentry);
    expect(typeof createNotifier(sentry).post).toBe('function');
    const github = {
      ...base,
      type: 'github',
      address: 'https://github.com/o/r',
      token: 't',
      commitStatusExpr: "'flux'",
    } as ProviderSettings;
    await prepareNotifier(github);
    expect(typeof createNotifier(github).post).toBe('function');
  });
});
