// Sprig's defaults.go: default, empty, coalesce, all, any, the JSON encoders Helm keeps (toPrettyJson, toRawJson
// and their must forms, mustFromJson) and ternary.
import { GoFunc, type FuncMap } from '../template/values.ts';
import { isEmpty } from './cast.ts';
import { marshal, unmarshal } from './json.ts';
import { A, S } from './util.ts';

/** defaults.go's functions. */
export function defaultFuncs(): FuncMap {
  return {
    default: new GoFunc([A], (d: unknown, ...g: unknown[]) => (g.length === 0 || isEmpty(g[0]) ? d : g[0]), {
      variadic: A,
    }),
    empty: new GoFunc([A], isEmpty),
    coalesce: new GoFunc([], (...v: unknown[]) => v.find((x) => !isEmpty(x)) ?? null, { variadic: A }),
    all: new GoFunc([], (...v: unknown[]) => v.every((x) => !isEmpty(x)), { variadic: A }),
    any: new GoFunc([], (...v: unknown[]) => v.some((x) => !isEmpty(x)), { variadic: A }),
    toPrettyJson: new GoFunc([A], (v: unknown) => {
      try {
        return marshal(v, true, '  ');
      } catch {
        return '';
      }
    }),
    mustToPrettyJson: new GoFunc([A], (v: unknown) => marshal(v, true, '  ')),
    toRawJson: new GoFunc([A], (v: unknown) => marshal(v, false)),
    mustToRawJson: new GoFunc([A], (v: unknown) => marshal(v, false)),
    mustFromJson: new GoFunc([S], unmarshal),
    ternary: new GoFunc([A, A, 'bool'], (vt: unknown, vf: unknown, v: boolean) => (v ? vt : vf)),
  };
}
