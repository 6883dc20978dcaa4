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

describe('CEL of dependsOn readyExpr (issue 22)', () => {
  it('importing @flux-ts/runtime loads neither @bufbuild/cel nor the main entry of @flux-ts/schema', () => {
    expect(
      resolvedWhileImporting(new URL('../index.ts', import.meta.url), /^@bufbuild\/cel|^@flux-ts\/schema$/),
    ).toEqual([]);
  });
});
