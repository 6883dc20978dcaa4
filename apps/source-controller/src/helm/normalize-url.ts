/** Chart repository URL helpers (source-controller `internal/helm/repository.NormalizeURL`, Helm's `registry.IsOCI`). */

/** The `oci://` scheme prefix. */
export const OCI_SCHEME = 'oci';

/** True for an `oci://` URL. */
export function isOCI(url: string): boolean {
  return url.startsWith(`${OCI_SCHEME}://`);
}

/**
 * NormalizeURL: an OCI URL loses its trailing slashes, an HTTP(S) one gets exactly one. Throws on an unparsable URL
 * (Go `url.Parse` errors are reported as `parse "<url>": …`).
 */
export function normalizeURL(repositoryURL: string): string {
  if (repositoryURL === '') return '';
  let u: URL;
  try {
    u = new URL(repositoryURL);
  } catch (err) {
    throw new Error(`parse "${repositoryURL}": invalid URL`, { cause: err });
  }
  if (u.protocol === `${OCI_SCHEME}:`) {
    return repositoryURL.replace(/\/+$/, '');
  }
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/`;
  return u.toString();
}

/** docker/go-units HumanSize: decimal units, 4 significant digits (`1.234kB`). */
export function humanSize(size: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let i = 0;
  let s = size;
  while (s >= 1000 && i < units.length - 1) {
    s /= 1000;
    i++;
  }
  return `${Number(s.toPrecision(4)).toString()}${units[i]}`;
}
