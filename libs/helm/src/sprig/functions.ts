// What Sprig's functions.go maps inline that no other file defines: hello, the path functions (Go's path package,
// also under their os* names: Helm's paths are slash-separated) and fail.
import { cleanPath } from '../go-path.ts';
import { GoFunc, type FuncMap } from '../template/values.ts';
import { S } from './util.ts';

/** path.Base. */
function pathBase(p: string): string {
  if (p === '') return '.';
  p = p.replace(/\/+$/, '');
  if (p === '') return '/';
  return p.slice(p.lastIndexOf('/') + 1);
}

/** path.Dir. */
function pathDir(p: string): string {
  const i = p.lastIndexOf('/');
  return cleanPath(p.slice(0, i + 1));
}

/** path.Ext. */
function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

/** functions.go's hello, path functions and fail. */
export function genericFuncs(): FuncMap {
  return {
    hello: new GoFunc([], () => 'Hello!'),
    base: new GoFunc([S], pathBase),
    dir: new GoFunc([S], pathDir),
    clean: new GoFunc([S], cleanPath),
    ext: new GoFunc([S], pathExt),
    isAbs: new GoFunc([S], (p: string) => p.startsWith('/')),
    osBase: new GoFunc([S], pathBase),
    osClean: new GoFunc([S], cleanPath),
    osDir: new GoFunc([S], pathDir),
    osExt: new GoFunc([S], pathExt),
    osIsAbs: new GoFunc([S], (p: string) => p.startsWith('/')),
    fail: new GoFunc([S], (msg: string) => {
      throw new Error(msg);
    }),
  };
}
