// Sprig v3.3.0's function map as Helm 3.18 exposes it (sprig.TxtFuncMap() without env and expandenv), on the
// GoFunc signatures of ../template/values.ts. Helm's own functions (include, tpl, required, toYaml, toJson, …,
// lookup) are not here. Each module holds one of Sprig's source files (date.go → date.ts, strings.go → strings.ts,
// …); this one resolves the injected I/O (the clock, the local time zone, randomness, name resolution, bcrypt) and
// composes their maps in the order of Sprig's functions.go.
import type { FuncMap } from '../template/values.ts';
import { bcryptHash, cryptoFuncs } from './crypto.ts';
import { dateFuncs, sprigClock } from './date.ts';
import { defaultFuncs } from './defaults.ts';
import { dictFuncs } from './dict.ts';
import { genericFuncs } from './functions.ts';
import { listFuncs } from './list.ts';
import { networkFuncs } from './network.ts';
import { numericFuncs } from './numeric.ts';
import { sprigRandom } from './random.ts';
import { reflectFuncs } from './reflect.ts';
import { regexFuncs } from './regex-funcs.ts';
import { semverFuncs } from './semver.ts';
import { stringFuncs } from './strings.ts';
import type { Location } from './time.ts';
import { urlFuncs } from './url.ts';

/** base64.StdEncoding.DecodeString; throws `illegal base64 data at input byte N`. */
export { b64decode } from './encoding.ts';

/** The I/O Sprig's non-deterministic functions use. */
export interface SprigOptions {
  /** The clock (now, ago, date of a non-time value); default Date.now with Node's hrtime for nanoseconds. */
  now?: () => { sec: number; nsec: number };
  /** The Local time zone; default TZ or /etc/localtime as Go reads them. */
  local?: Location | string;
  /** Random bytes (rand*, uuidv4, encryptAES, bcrypt, shuffle, randInt); default crypto.randomBytes. */
  randomBytes?: (n: number) => Uint8Array;
  /** net.LookupHost for getHostByName (synchronous; the engine is); default: an error. */
  lookupHost?: (name: string) => string[];
  /** bcrypt.GenerateFromPassword(password, 10) for bcrypt and htpasswd; default bcryptjs. */
  bcrypt?: (password: string) => string;
}

/** Sprig's functions (Helm's set: without env and expandenv). */
export function sprigFuncs(opts: SprigOptions = {}): FuncMap {
  const clock = sprigClock(opts.now, opts.local);
  const random = sprigRandom(opts.randomBytes);
  return {
    ...genericFuncs(),
    ...dateFuncs(clock),
    ...stringFuncs(random),
    ...numericFuncs(random),
    ...defaultFuncs(),
    ...reflectFuncs(),
    ...networkFuncs(opts.lookupHost, random),
    ...listFuncs(),
    ...dictFuncs(),
    ...cryptoFuncs(random, clock, opts.bcrypt ?? bcryptHash),
    ...semverFuncs(),
    ...regexFuncs(),
    ...urlFuncs(),
  };
}
