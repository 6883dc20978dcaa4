import { RegistryError } from './errors.ts';

/** A parsed image reference: registry host[:port], repository path, and a tag and/or digest. */
export interface Reference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Docker Hub's registry host, as go-containerregistry names it (`docker.io` is rewritten to it). */
export const DEFAULT_REGISTRY = 'index.docker.io';
/** The tag of a reference that names neither tag nor digest. */
export const DEFAULT_TAG = 'latest';

const REPOSITORY_CHARS = /^[a-z0-9_./-]+$/;
const TAG_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

function bad(input: string, reason: string): RegistryError {
  return new RegistryError(`could not parse reference: ${input}: ${reason}`, { code: 'INVALID_REFERENCE' });
}

function checkRegistry(input: string, registry: string): void {
  let host: string;
  try {
    host = new URL(`http://${registry}`).host;
  } catch {
    host = '';
  }
  // URL lower-cases and drops default ports; compare case-insensitively and allow an explicit :80/:443.
  const same =
    host.toLowerCase() === registry.toLowerCase() || registry.toLowerCase().startsWith(host.toLowerCase() + ':');
  if (!host || !same || /[/?#@\s]/.test(registry))
    throw bad(input, `registries must be valid RFC 3986 URI authorities: ${registry}`);
}

/**
 * Splits `host[:port]/path` (no tag or digest) into registry and repository as go-containerregistry's
 * name.NewRepository does: the first path element is the registry only when it contains `.` or `:`; otherwise the
 * registry is Docker Hub (`index.docker.io`, also for `docker.io`) and one-element names get `library/`.
 */
export function parseRepository(name: string, input = name): { registry: string; repository: string } {
  let registry = DEFAULT_REGISTRY;
  let repository = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':')) {
      checkRegistry(input, first);
      registry = first === 'docker.io' ? DEFAULT_REGISTRY : first;
      repository = name.slice(slash + 1);
    }
  }
  if (repository.length < 2 || repository.length > 255)
    throw bad(input, `repository must be between 2 and 255 characters in length: ${repository}`);
  if (!REPOSITORY_CHARS.test(repository))
    throw bad(
      input,
      `repository can only contain the characters \`abcdefghijklmnopqrstuvwxyz0123456789_-./\`: ${repository}`,
    );
  if (repository.startsWith('/') || repository.endsWith('/') || repository.includes('//'))
    throw bad(input, `repository has an empty path component: ${repository}`);
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository };
}

/**
 * Parses `host[:port]/path[:tag][@sha256:…]` as go-containerregistry's name.ParseReference does (weak validation):
 * Docker Hub normalisation (`docker.io` → `index.docker.io`, `library/` for one-element names), a missing tag and
 * digest default to tag `latest`; a `tag@digest` form keeps both (the digest wins when fetching).
 * Errors are RegistryErrors with code INVALID_REFERENCE and say which part is wrong.
 */
export function parseReference(ref: string): Reference {
  if (!ref) throw bad(ref, 'empty reference');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) throw bad(ref, 'a reference has no URL scheme');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw bad(ref, `digest must be sha256:<64 hex> or sha512:<128 hex>: ${digest}`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag))
      throw bad(
        ref,
        `tag can only contain the characters \`abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.\` (at most 128): ${tag}`,
      );
  }
  const { registry, repository } = parseRepository(rest, ref);
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Formats a reference back as `registry/repository[:tag][@digest]`. */
export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
