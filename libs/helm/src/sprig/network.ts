// Sprig's network.go: getHostByName, one of net.LookupHost's addresses at random, through an injected resolver
// (the engine is synchronous; without a resolver the call fails).
import { GoFunc, type FuncMap } from '../template/values.ts';
import type { SprigRandom } from './random.ts';
import { S, goPanic } from './util.ts';

/** network.go's getHostByName on lookupHost, picking with random. */
export function networkFuncs(lookupHost: ((name: string) => string[]) | undefined, random: SprigRandom): FuncMap {
  const randIndex = random.index;
  return {
    getHostByName: new GoFunc([S], (name: string) => {
      if (lookupHost === undefined) throw new Error('getHostByName: no resolver is configured');
      const addrs = lookupHost(name);
      if (addrs.length === 0) goPanic('invalid argument to Intn');
      return addrs[randIndex(addrs.length)];
    }),
  };
}
