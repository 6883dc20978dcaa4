import { RegistryError } from './errors.ts';
import { DEFAULT_REGISTRY } from './reference.ts';

/** Credentials for a registry: basic (username/password), an identity (refresh) token, or a registry (bearer) token. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token exchanged at the token realm (`grant_type=refresh_token`). */
  identityToken?: string;
  /** A bearer token sent to the registry as is. */
  registryToken?: string;
}

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
  registrytoken?: unknown;
}

/** The key Docker uses for Docker Hub in config files. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

/** docker/cli's ConvertToHostname: drops an http(s):// prefix and everything from the first `/`. */
function toHostname(key: string): string {
  let s = key;
  if (s.startsWith('http://')) s = s.slice(7);
  else if (s.startsWith('https://')) s = s.slice(8);
  const slash = s.indexOf('/');
  return slash >= 0 ? s.slice(0, slash) : s;
}

/**
 * Looks up `registry` (host[:port]) in a `.dockerconfigjson` document as Flux does (docker/cli config file store):
 * the exact `auths` key first, then any key whose hostname (without `http(s)://` and path) equals the registry;
 * Docker Hub (`index.docker.io`, `docker.io`) is stored under `https://index.docker.io/v1/`. `auth` (base64
 * `user:password`) is decoded; otherwise `username`/`password`, `identitytoken`, `registrytoken` are taken as they
 * are. Returns undefined when no entry matches or the entry is empty. Errors never quote the document.
 */
export function dockerConfigCredentials(
  dockerConfigJson: Uint8Array | string,
  registry: string,
): RegistryCredentials | undefined {
  const text = typeof dockerConfigJson === 'string' ? dockerConfigJson : Buffer.from(dockerConfigJson).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new RegistryError('invalid docker config: not valid JSON', { cause: err });
  }
  if (typeof doc !== 'object' || doc === null) throw new RegistryError('invalid docker config: not a JSON object');
  const auths = (doc as { auths?: unknown }).auths;
  if (auths === undefined || auths === null) return undefined;
  if (typeof auths !== 'object') throw new RegistryError("invalid docker config: 'auths' is not an object");
  const map = auths as Record<string, AuthEntry>;
  const hub = registry === DEFAULT_REGISTRY || registry === 'docker.io';
  const candidates = hub ? [DOCKER_HUB_KEY, registry] : [registry];
  let entry: AuthEntry | undefined;
  for (const key of candidates) if (!entry && Object.hasOwn(map, key)) entry = map[key];
  if (!entry) {
    for (const [key, value] of Object.entries(map)) {
      const host = toHostname(key);
      if (host === registry || (hub && (host === DEFAULT_REGISTRY || host === 'docker.io'))) {
        entry = value;
        break;
      }
    }
  }
  if (!entry || typeof entry !== 'object') return undefined;
  const creds: RegistryCredentials = {};
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new RegistryError(`invalid docker config: the auth entry for ${registry} is not user:password`);
    creds.username = decoded.slice(0, colon);
    creds.password = decoded.slice(colon + 1).replace(/\0+$/, '');
  } else {
    if (typeof entry.username === 'string' && entry.username !== '') creds.username = entry.username;
    if (typeof entry.password === 'string' && entry.password !== '') creds.password = entry.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') creds.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') creds.registryToken = entry.registrytoken;
  return Object.keys(creds).length > 0 ? creds : undefined;
}
