// Sprig's url.go: urlParse and urlJoin over the parts of Go's url.URL.
import { GoFunc, mapGet, type FuncMap, type GoMap } from '../template/values.ts';
import { M, S, goPanic } from './util.ts';

/** url.PathUnescape-style decoding; throws Go's invalid URL escape error. */
function urlUnescape(s: string, whole: string): string {
  const bad = /%(?![0-9A-Fa-f]{2})(.{0,2})/.exec(s);
  if (bad) goPanic(`unable to parse url: parse ${JSON.stringify(whole)}: invalid URL escape ${JSON.stringify(bad[0])}`);
  return Buffer.from(
    s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

/** Sprig's urlParse over Go's url.Parse (scheme, opaque, authority, path, raw query, fragment). */
function goUrlParse(whole: string): Record<string, unknown> {
  let rest = whole;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = urlUnescape(rest.slice(hash + 1), whole);
    rest = rest.slice(0, hash);
  }
  let scheme = '';
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    scheme = (sm[1] ?? '').toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (/^[^/?]*:/.test(rest))
    goPanic(`unable to parse url: parse ${JSON.stringify(whole)}: first path segment in URL cannot contain colon`);
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let opaque = '';
  let host = '';
  let userinfo = '';
  let path = '';
  if (scheme !== '' && !rest.startsWith('/')) opaque = rest;
  else {
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
      rest = slash < 0 ? '' : rest.slice(slash);
      const at = authority.lastIndexOf('@');
      if (at >= 0) {
        userinfo = urlUnescape(authority.slice(0, at), whole);
        host = authority.slice(at + 1);
      } else host = authority;
    }
    path = urlUnescape(rest, whole);
  }
  let hostname = host;
  if (hostname.startsWith('['))
    hostname = hostname.slice(1, hostname.indexOf(']') < 0 ? undefined : hostname.indexOf(']'));
  else hostname = hostname.replace(/:[0-9]*$/, '');
  return { scheme, host, hostname, path, query, opaque, fragment, userinfo };
}

/** Sprig's urlJoin: url.URL.String() of the parts. */
function goUrlJoin(d: GoMap): string {
  const g = (k: string): string => {
    const r = mapGet(d, k);
    return r.has && typeof r.value === 'string' ? r.value : '';
  };
  let out = '';
  const scheme = g('scheme');
  if (scheme) out += scheme + ':';
  const host = g('host');
  const userinfo = g('userinfo');
  if (scheme || host || userinfo) {
    out += '//';
    if (userinfo) out += encodeURIComponent(userinfo).replace(/%3A/g, ':') + '@';
    out += host;
  }
  let path = g('path');
  if (path && path[0] !== '/' && host) path = '/' + path;
  out += path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) => encodeURIComponent(c));
  const q = g('query');
  if (q) out += '?' + q;
  const f = g('fragment');
  if (f) out += '#' + encodeURIComponent(f).replace(/%2F/g, '/');
  return out;
}

/** url.go's functions. */
export function urlFuncs(): FuncMap {
  return {
    urlParse: new GoFunc([S], goUrlParse),
    urlJoin: new GoFunc([M], goUrlJoin),
  };
}
