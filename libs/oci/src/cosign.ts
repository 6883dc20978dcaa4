/**
 * Cosign signatures with a public key, in cosign's classic ("attached", v2) layout: the signature image is the tag
 * `sha256-<hex>.sig` of the signed repository; each of its layers of media type
 * `application/vnd.dev.cosign.simplesigning.v1+json` is a simple-signing payload whose
 * `dev.cosignproject.cosign/signature` annotation is the base64 signature over the layer's bytes. Verification is
 * offline and without a transparency log, as Flux's `verify.secretRef` path (`IgnoreTlog`, `Offline`).
 */
// Hand-written: no npm library reads cosign's `.sig` tags (@sigstore/verify takes Sigstore bundles, @sigstore/oci only attaches them).
import { createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { RegistryClient } from './client.ts';
import { RegistryError } from './errors.ts';
import { OCI_MANIFEST_MEDIA_TYPE } from './manifest.ts';
import type { OciDescriptor, OciManifest } from './manifest.ts';
import type { Reference } from './reference.ts';

/** The media type of a cosign signature layer (cosign `SimpleSigningMediaType`). */
export const CosignSimpleSigningMediaType = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The layer annotation carrying the base64 signature (cosign `SigTagSuffix` layout, `sigkey`). */
export const CosignSignatureAnnotation = 'dev.cosignproject.cosign/signature';
/** `critical.type` of a cosign image signature payload (sigstore `CosignSignatureType`). */
export const CosignSignatureType = 'cosign container image signature';
/** A signature payload larger than this is not read (cosign caps layers it reads at 128 MiB; payloads are tiny). */
const MAX_PAYLOAD_SIZE = 1024 * 1024;

/** The simple-signing payload cosign signs (sigstore `payload.SimpleContainerImage`). */
export interface CosignPayload {
  critical: {
    identity: { 'docker-reference': string };
    image: { 'docker-manifest-digest': string };
    type: string;
  };
  optional: Record<string, unknown> | null;
}

/** The tag of the signature image of `digest` (cosign `ociremote.SignatureTag`): `sha256-<hex>.sig`. */
export function cosignSignatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/**
 * The payload bytes cosign signs for an image, byte for byte (`cosign sign`: Go's `json.Marshal` of
 * `SimpleContainerImage`, keys in this order, `"optional":null` without annotations).
 */
export function cosignPayload(dockerReference: string, digest: string, annotations?: Record<string, string>): Buffer {
  const payload: CosignPayload = {
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': digest },
      type: CosignSignatureType,
    },
    optional: annotations && Object.keys(annotations).length > 0 ? annotations : null,
  };
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

/**
 * Reads a public key as sigstore's `cryptoutils.UnmarshalPEMToPublicKey` + `signature.LoadVerifier(…, SHA256)`
 * accept it: PEM (`PUBLIC KEY`, or `RSA PUBLIC KEY`), ECDSA (P-256, P-384, P-521), RSA or ed25519.
 */
export function cosignPublicKey(pem: Uint8Array | string): KeyObject {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  if (!text.includes('-----BEGIN')) throw new Error('PEM decoding failed');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch (err) {
    throw new Error('PEM decoding failed', { cause: err });
  }
  const type = key.asymmetricKeyType;
  if (type !== 'ec' && type !== 'rsa' && type !== 'ed25519')
    throw new Error(`unsupported public key type: ${type ?? 'unknown'}`);
  return key;
}

/**
 * Checks one signature (base64, as the annotation holds it) over `payload` with `key`: ECDSA and RSA (PKCS#1 v1.5)
 * over SHA-256 as cosign signs with `--key`, ed25519 over the message itself.
 */
export function verifyCosignSignature(key: KeyObject, payload: Uint8Array, signatureB64: string): boolean {
  const sig = Buffer.from(signatureB64.replace(/\s+/gu, ''), 'base64');
  if (sig.length === 0) return false;
  try {
    return verify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', payload, key, sig);
  } catch {
    return false;
  }
}

/**
 * Checks a payload's claims as cosign's `VerifyImageSignature` does: a cosign image signature whose
 * `docker-manifest-digest` is the verified digest. `docker-reference` is informative (cosign does not match it:
 * signatures survive a copy to another repository). Throws with the reason when a claim fails.
 */
export function checkCosignClaims(payload: Uint8Array, digest: string): CosignPayload {
  let parsed: CosignPayload;
  try {
    parsed = JSON.parse(Buffer.from(payload).toString('utf8')) as CosignPayload;
  } catch (err) {
    throw new Error('invalid signature payload: not JSON', { cause: err });
  }
  const critical = parsed?.critical;
  if (critical?.type !== CosignSignatureType)
    throw new Error(`Cosign signature payload was of an unknown type: "${String(critical?.type)}"`);
  if (critical.image?.['docker-manifest-digest'] !== digest) throw new Error('invalid or missing digest in claim');
  return parsed;
}

/** Options of {@link verifyCosignSignatures}. */
export interface CosignVerifyOptions {
  signal: AbortSignal;
}

/** The outcome of {@link verifyCosignSignatures}: the verified payloads, or why none verified. */
export interface CosignVerification {
  /** Payloads signed by one of the keys for the digest (empty: none). */
  verified: CosignPayload[];
  /** Per rejected layer, why (no secrets: key indexes, layer digests and claim failures only). */
  rejected: string[];
}

/**
 * Finds and checks the cosign signatures of `ref` (its `digest` is the one verified): fetches the signature image
 * `sha256-<hex>.sig` from the same repository and, for every simple-signing layer, verifies its annotation against
 * each key and its payload claims. A missing signature image gives no verified payloads; registry failures throw.
 */
export async function verifyCosignSignatures(
  client: RegistryClient,
  ref: Reference & { digest: string },
  keys: readonly KeyObject[],
  opts: CosignVerifyOptions,
): Promise<CosignVerification> {
  const sigRef: Reference = { registry: ref.registry, repository: ref.repository, tag: cosignSignatureTag(ref.digest) };
  let manifest: OciManifest;
  try {
    manifest = (await client.getManifest(sigRef, opts.signal)).manifest;
  } catch (err) {
    if (err instanceof RegistryError && (err.status === 404 || err.code === 'MANIFEST_UNKNOWN'))
      return { verified: [], rejected: ['no signatures found'] };
    throw err;
  }
  const out: CosignVerification = { verified: [], rejected: [] };
  for (const layer of manifest.layers ?? []) {
    if (layer.mediaType !== CosignSimpleSigningMediaType) continue;
    const signature = layer.annotations?.[CosignSignatureAnnotation];
    if (!signature) {
      out.rejected.push(`${layer.digest}: no signature annotation`);
      continue;
    }
    const payload = await client.fetchBlob(ref.registry, ref.repository, layer.digest, {
      signal: opts.signal,
      maxSize: Math.min(layer.size, MAX_PAYLOAD_SIZE),
    });
    const index = keys.findIndex((k) => verifyCosignSignature(k, payload, signature));
    if (index < 0) {
      out.rejected.push(`${layer.digest}: invalid signature when validating ASN.1 encoded signature`);
      continue;
    }
    try {
      out.verified.push(checkCosignClaims(payload, ref.digest));
    } catch (err) {
      out.rejected.push(`${layer.digest}: ${(err as Error).message}`);
    }
  }
  if (out.verified.length === 0 && out.rejected.length === 0) out.rejected.push('no signatures found');
  return out;
}

/** Options of {@link pushCosignSignature}. */
export interface CosignSignOptions {
  signal: AbortSignal;
  /** `cosign sign -a key=value`: the payload's `optional` map. */
  annotations?: Record<string, string>;
  /** The signed payload as it is, instead of {@link cosignPayload} (tests: a tampered or foreign payload). */
  payload?: Uint8Array;
  /** The signature to attach instead of signing (tests: a tampered signature). */
  signature?: string;
}

/**
 * Signs `ref` (its digest) with a private key the way `cosign sign --key --tlog-upload=false` stores it: the
 * payload as a blob, a layer with the signature annotation appended to the signature image `sha256-<hex>.sig`
 * (created with an image config whose diff_ids list the layers). Returns the signature image digest.
 */
export async function pushCosignSignature(
  client: RegistryClient,
  ref: Reference & { digest: string },
  key: KeyObject,
  opts: CosignSignOptions,
): Promise<string> {
  const payload = opts.payload ?? cosignPayload(`${ref.registry}/${ref.repository}`, ref.digest, opts.annotations);
  const signature =
    opts.signature ?? sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', payload, key).toString('base64');
  const sigRef: Reference = { registry: ref.registry, repository: ref.repository, tag: cosignSignatureTag(ref.digest) };
  let layers: OciDescriptor[] = [];
  try {
    layers = (await client.getManifest(sigRef, opts.signal)).manifest.layers ?? [];
  } catch (err) {
    if (!(err instanceof RegistryError && (err.status === 404 || err.code === 'MANIFEST_UNKNOWN'))) throw err;
  }
  const payloadDigest = await client.pushBlob(ref.registry, ref.repository, payload, opts.signal);
  layers = [
    ...layers,
    {
      mediaType: CosignSimpleSigningMediaType,
      size: payload.byteLength,
      digest: payloadDigest,
      annotations: { [CosignSignatureAnnotation]: signature },
    },
  ];
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
  const configDigest = await client.pushBlob(ref.registry, ref.repository, config, opts.signal);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.byteLength, digest: configDigest },
    layers,
  };
  return client.pushManifest(sigRef, Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST_MEDIA_TYPE, opts.signal);
}
