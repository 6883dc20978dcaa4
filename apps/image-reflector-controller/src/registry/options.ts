/**
 * The registry client of an ImageRepository (upstream `internal/registry/options.go` `AuthOptionsGetter`): the
 * image reference checks of `ParseImageReference`, credentials from `spec.secretRef` and the ServiceAccount's
 * imagePullSecrets (dockerconfigjson), or from the cloud provider (`aws`: ECR tokens; `azure`/`gcp` are not supported
 * by this build), the CA and client certificate of `spec.certSecretRef`, the proxy of `spec.proxySecretRef`
 * (`address`, `username`, `password`), `spec.insecure`, and the timeout.
 */
import type { LookupFunction } from 'node:net';
import { RegistryClient, dockerConfigCredentials, parseEcrRegistry, parseReference } from '@flux-ts/oci';
import type { Reference, RegistryCredentials } from '@flux-ts/oci';
import type { ImageRepository } from '@flux-ts/api';
import type { KubeObject, ObjectReader } from '@flux-ts/runtime';
import type { EcrTokenCache } from './ecr-token-cache.ts';

/** The repository part of an image reference: registry host and repository path. */
export interface ImageRepositoryRef {
  registry: string;
  repository: string;
  /** `registry/repository`: `status.canonicalImageName` (go-containerregistry `ref.Context().String()`). */
  canonical: string;
}

/**
 * upstream `registry.ParseImageReference`: no URL scheme, a valid reference (go-containerregistry rules, Docker Hub
 * normalised), and no tag. Throws the upstream messages.
 */
export function parseImageReference(image: string): ImageRepositoryRef {
  const scheme = image.split('://');
  if (scheme.length > 1) throw new Error(`image '${image}' should not include URL scheme; remove '${scheme[0]}://'`);
  let ref: Reference;
  try {
    ref = parseReference(image);
  } catch (err) {
    throw new Error((err as Error).message, { cause: err });
  }
  // what follows the registry as the user wrote it (go-containerregistry's RegistryStr is the normalised host)
  const rest = image.startsWith(ref.registry) ? image.slice(ref.registry.length) : image;
  const parts = rest.split(':');
  if (parts.length > 1) throw new Error(`image '${image}' should not include a tag; remove ':${parts[1]}'`);
  if (ref.digest) throw new Error(`image '${image}' should not include a digest`);
  return { registry: ref.registry, repository: ref.repository, canonical: `${ref.registry}/${ref.repository}` };
}

/** What {@link registryClientFor} reads and uses. */
export interface RegistryAccess {
  /** Reads Secrets and ServiceAccounts (the API, uncached). */
  reader: ObjectReader;
  ecr: EcrTokenCache;
  /** Host name resolution for the registry connections (tests). */
  lookup?: LookupFunction | undefined;
  userAgent?: string | undefined;
}

type Secret = KubeObject & { data?: Record<string, string>; type?: string };
type ServiceAccount = KubeObject & { imagePullSecrets?: { name?: string }[] };

async function getSecret(reader: ObjectReader, namespace: string, name: string, signal: AbortSignal): Promise<Secret> {
  return reader.get<Secret>({ apiVersion: 'v1', kind: 'Secret' }, { namespace, name }, { signal });
}

function data(secret: Secret, key: string): Uint8Array | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64');
}

/** `.dockerconfigjson` (or the legacy `.dockercfg` map) of a pull secret, as a docker config document. */
function dockerConfigOf(secret: Secret): string | undefined {
  const json = data(secret, '.dockerconfigjson');
  if (json) return Buffer.from(json).toString('utf8');
  const legacy = data(secret, '.dockercfg');
  if (legacy) return JSON.stringify({ auths: JSON.parse(Buffer.from(legacy).toString('utf8')) as unknown });
  return undefined;
}

/** Duration of `spec.timeout` (default `spec.interval`) in ms. */
export function timeoutOf(repo: ImageRepository, parse: (d: string) => number): number {
  return parse(repo.spec.timeout ?? repo.spec.interval);
}

/**
 * Builds the registry client of an ImageRepository; the caller closes it. Throws on a Secret or ServiceAccount that
 * cannot be read or is malformed, and on an unsupported provider (the caller reports AuthenticationFailed).
 */
export async function registryClientFor(
  repo: ImageRepository,
  ref: ImageRepositoryRef,
  access: RegistryAccess,
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<RegistryClient> {
  const ns = repo.metadata.namespace ?? '';
  const { signal } = opts;
  const provider = repo.spec.provider ?? 'generic';

  let proxy: { address: string; username?: string; password?: string } | undefined;
  if (repo.spec.proxySecretRef) {
    const s = await getSecret(access.reader, ns, repo.spec.proxySecretRef.name, signal);
    const text = (k: string): string | undefined => {
      const v = data(s, k);
      return v && v.byteLength ? Buffer.from(v).toString('utf8') : undefined;
    };
    const address = text('address');
    if (!address)
      throw new Error(`invalid proxy secret '${ns}/${repo.spec.proxySecretRef.name}': key 'address' is missing`);
    const username = text('username');
    const password = text('password');
    proxy = { address, ...(username ? { username } : {}), ...(password ? { password } : {}) };
  }

  let credentials: RegistryClientCredentials | undefined;
  if (provider === 'aws') {
    if (!parseEcrRegistry(ref.registry))
      throw new Error(
        `invalid ECR registry host '${ref.registry}': expected <account>.dkr.ecr.<region>.amazonaws.com for provider 'aws'`,
      );
    // fetched up front, as upstream's GetArtifactRegistryCredentials: a denied call is an authentication failure
    const creds = await access.ecr.get(ref.registry, signal);
    credentials = () => Promise.resolve(creds);
  } else if (provider !== 'generic') {
    throw new Error(
      `provider '${provider}' is not supported by this build: use 'generic' with spec.secretRef, or 'aws'`,
    );
  }

  let tls: { ca?: Uint8Array; cert?: Uint8Array; key?: Uint8Array } | undefined;
  if (repo.spec.certSecretRef) {
    const name = repo.spec.certSecretRef.name;
    const s = await getSecret(access.reader, ns, name, signal);
    const ca = data(s, 'ca.crt') ?? data(s, 'caFile');
    const cert = data(s, 'tls.crt') ?? data(s, 'certFile');
    const key = data(s, 'tls.key') ?? data(s, 'keyFile');
    if ((cert && !key) || (!cert && key))
      throw new Error(`secret '${ns}/${name}' must contain both tls.crt and tls.key`);
    if (!ca && !cert)
      throw new Error(`secret '${ns}/${name}' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'`);
    tls = { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
  }

  if (!credentials) {
    const pullSecrets: { name: string; config: string }[] = [];
    if (repo.spec.secretRef) {
      const s = await getSecret(access.reader, ns, repo.spec.secretRef.name, signal);
      const config = dockerConfigOf(s);
      if (config === undefined)
        throw new Error(`secret '${ns}/${repo.spec.secretRef.name}' has no '.dockerconfigjson' key`);
      pullSecrets.push({ name: repo.spec.secretRef.name, config });
    }
    if (repo.spec.serviceAccountName) {
      const sa = await access.reader.get<ServiceAccount>(
        { apiVersion: 'v1', kind: 'ServiceAccount' },
        { namespace: ns, name: repo.spec.serviceAccountName },
        { signal },
      );
      for (const ips of sa.imagePullSecrets ?? []) {
        if (!ips.name) continue;
        const s = await getSecret(access.reader, ns, ips.name, signal);
        const config = dockerConfigOf(s);
        if (config !== undefined) pullSecrets.push({ name: ips.name, config });
      }
    }
    if (pullSecrets.length > 0) {
      credentials = (host: string) => {
        for (const p of pullSecrets) {
          const c = dockerConfigCredentials(p.config, host);
          if (c) return Promise.resolve(c);
        }
        return Promise.resolve(undefined);
      };
    }
  }

  return new RegistryClient({
    ...(credentials ? { credentials } : {}),
    ...(tls ? { tls } : {}),
    insecure: repo.spec.insecure === true,
    timeoutMs: opts.timeoutMs,
    ...(access.lookup ? { lookup: access.lookup } : {}),
    ...(proxy ? { proxy } : {}),
    userAgent: access.userAgent ?? 'flux-ts/image-reflector-controller',
  });
}

type RegistryClientCredentials = (host: string) => Promise<RegistryCredentials | undefined>;
