/** A parsed listen address: `host` is `''` for "all interfaces" (`:8080`), IPv6 hosts are unbracketed. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host:port`, `:port` (all interfaces) or `[ipv6]:port` like Go's `net.SplitHostPort`, with a numeric
 * port in 0–65535 (0 asks the OS for an ephemeral port). Named ports (`:http`) are rejected.
 */
export function parseListenAddress(input: string): ListenAddress {
  const fail = (why: string): Error => new Error(`address ${input}: ${why}`);
  let host: string;
  let portText: string;
  if (input.startsWith('[')) {
    const end = input.indexOf(']');
    if (end < 0) throw fail("missing ']' in address");
    host = input.slice(1, end);
    const rest = input.slice(end + 1);
    if (rest === '') throw fail('missing port in address');
    if (!rest.startsWith(':')) throw fail("unexpected characters after ']' in address");
    portText = rest.slice(1);
    if (portText.includes(':')) throw fail('too many colons in address');
  } else {
    const colon = input.lastIndexOf(':');
    if (colon < 0) throw fail('missing port in address');
    host = input.slice(0, colon);
    if (host.includes(':')) throw fail('too many colons in address');
    portText = input.slice(colon + 1);
  }
  if (host.includes('[') || host.includes(']')) throw fail("unexpected '[' or ']' in address");
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw fail(`invalid port ${JSON.stringify(portText)}`);
  }
  return Object.freeze({ host, port: Number(portText) });
}

/** Formats a {@link ListenAddress} back to Go's `net.JoinHostPort` form (`:9090`, `[::1]:0`). */
export function formatListenAddress(address: ListenAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}
