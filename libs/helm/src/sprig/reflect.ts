// Sprig's reflect.go (typeOf, typeIs, typeIsLike, kindOf, kindIs) and deepEqual (reflect.DeepEqual).
import { GoFunc, typeName, type FuncMap } from '../template/values.ts';
import { deepEqual, goKind } from './cast.ts';
import { A, S } from './util.ts';

/** reflect.go's functions and deepEqual. */
export function reflectFuncs(): FuncMap {
  return {
    typeOf: new GoFunc([A], (v: unknown) => (v === null || v === undefined ? '<nil>' : typeName(v))),
    typeIs: new GoFunc([S, A], (t: string, v: unknown) => t === (v === null ? '<nil>' : typeName(v))),
    typeIsLike: new GoFunc([S, A], (t: string, v: unknown) => {
      const s = v === null ? '<nil>' : typeName(v);
      return t === s || '*' + t === s;
    }),
    kindOf: new GoFunc([A], goKind),
    kindIs: new GoFunc([S, A], (t: string, v: unknown) => t === goKind(v)),
    deepEqual: new GoFunc([A, A], deepEqual),
  };
}
