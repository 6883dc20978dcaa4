import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadCel, loadedCel } from './lazy-cel.ts';
import { toCel } from './cel.ts';

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

describe('@flux-ts/schema/lazy-cel (issue 22)', () => {
  it('importing it loads no CEL, nor do the label-selector entry', () => {
    expect(resolvedWhileImporting(new URL('./lazy-cel.ts', import.meta.url), /^@bufbuild\//)).toEqual([]);
    expect(resolvedWhileImporting(new URL('./label-selector.ts', import.meta.url), /^@bufbuild\//)).toEqual([]);
  });

  it('loads the engine once, and evaluates with the strings extension', async () => {
    const cel = await loadCel();
    expect(await loadCel()).toBe(cel);
    expect(loadedCel()).toBe(cel);
    expect(cel.toCel).toBe(toCel);
    const program = cel.plan(cel.celEnv({ funcs: cel.strings }), cel.parse("self.name.lowerAscii() == 'a'"));
    expect(program({ self: cel.toCel({ name: 'A' }) } as never)).toBe(true);
  });
});
