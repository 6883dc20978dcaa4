import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadOpenpgp, loadSsh2 } from './lazy-modules.ts';

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

describe('lazy modules (issue 22)', () => {
  it('importing @flux-ts/git loads neither ssh2 nor openpgp', () => {
    expect(resolvedWhileImporting(new URL('./index.ts', import.meta.url), /^(ssh2|openpgp)$/)).toEqual([]);
  });

  it('loads each module once, with the API the transport and the signatures use', async () => {
    const ssh2 = await loadSsh2();
    expect(typeof ssh2.utils.parseKey).toBe('function');
    expect(typeof ssh2.Client).toBe('function');
    expect(await loadSsh2()).toBe(ssh2);
    const pgp = await loadOpenpgp();
    expect(typeof pgp.readKeys).toBe('function');
    expect(await loadOpenpgp()).toBe(pgp);
  });
});
