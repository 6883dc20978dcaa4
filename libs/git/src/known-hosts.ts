// Hand-written known_hosts matching: ssh2 has no known_hosts support and no maintained npm parser handles hashed hosts.
import { createHmac } from 'node:crypto';

/** Host name as written in known_hosts: `host` for port 22, otherwise `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    // Hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  return pattern.split(',').some((p) => p === name);
}

/**
 * Whether `known_hosts` content has an entry for `host:port` whose key equals `key` (the SSH wire-format public key
 * blob). Plain and hashed (`|1|…`) host patterns are supported; `@cert-authority`/`@revoked` markers and wildcards
 * are not (such lines never match).
 */
export function knownHostsMatch(knownHosts: string, host: string, port: number, key: Buffer): boolean {
  const name = knownHostsName(host, port);
  const keyB64 = key.toString('base64');
  for (const raw of knownHosts.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, , blob] = line.split(/\s+/);
    if (!hosts || !blob) continue;
    if (patternMatches(hosts, name) && blob === keyB64) return true;
  }
  return false;
}
