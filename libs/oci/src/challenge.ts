/** A parsed `WWW-Authenticate` challenge: the scheme in lower case and its auth-params (keys in lower case). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` header value (RFC 7235: `Scheme k=v, k="quoted, value"`; several challenges may follow
 * each other). Hand-written: the grammar is small and no npm parser handles quoted commas and multiple challenges well.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t' || header[i] === ',')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && !/[\s,=]/.test(header[i] ?? '')) i++;
    return header.slice(start, i);
  };
  let current: AuthChallenge | undefined;
  while (i < n) {
    skipWs();
    if (i >= n) break;
    const word = token();
    if (!word) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && (header[j] === ' ' || header[j] === '\t')) j++;
    if (header[j] === '=' && current) {
      // auth-param: key=value or key="quoted"
      i = j + 1;
      while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        const start = i;
        while (i < n && header[i] !== ',' && header[i] !== ' ' && header[i] !== '\t') i++;
        value = header.slice(start, i);
      }
      current.params[word.toLowerCase()] = value;
    } else if (header[j] === '=' && !current) {
      // token68 or stray parameter without a scheme: ignore up to the next comma
      while (i < n && header[i] !== ',') i++;
    } else {
      current = { scheme: word.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}
