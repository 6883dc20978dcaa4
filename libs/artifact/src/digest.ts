import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { blake3 } from '@noble/hashes/blake3.js';

/** Digest algorithms accepted by `--artifact-digest-algo` (same names as upstream Flux). */
export const DigestAlgorithms = ['sha256', 'sha1', 'sha384', 'sha512', 'blake3'] as const;

/** One of {@link DigestAlgorithms}. */
export type DigestAlgorithm = (typeof DigestAlgorithms)[number];

/** The default digest algorithm (`sha256`), as in Flux. */
export const DEFAULT_DIGEST_ALGORITHM: DigestAlgorithm = 'sha256';

const hexLength: Record<DigestAlgorithm, number> = { sha1: 40, sha256: 64, sha384: 96, sha512: 128, blake3: 64 };

/** An incremental hasher producing a `<algo>:<hex>` digest string. */
export interface Digester {
  /** Feeds bytes into the hash. */
  update(chunk: Uint8Array): void;
  /** Returns the digest as `<algo>:<hex>`; call once. */
  digest(): string;
}

/** Returns true when `algo` is a supported digest algorithm name. */
export function isDigestAlgorithm(algo: string): algo is DigestAlgorithm {
  return (DigestAlgorithms as readonly string[]).includes(algo);
}

/** Creates an incremental {@link Digester} for `algo` (blake3 via @noble/hashes, the rest via node:crypto). */
export function createDigester(algo: DigestAlgorithm): Digester {
  if (algo === 'blake3') {
    const h = blake3.create();
    return {
      update: (chunk) => void h.update(chunk),
      digest: () => `blake3:${Buffer.from(h.digest()).toString('hex')}`,
    };
  }
  const h = createHash(algo);
  return {
    update: (chunk) => void h.update(chunk),
    digest: () => `${algo}:${h.digest('hex')}`,
  };
}

/** A parsed digest: algorithm and lowercase hex checksum. */
export interface ParsedDigest {
  /** The algorithm. */
  algorithm: DigestAlgorithm;
  /** The lowercase hex checksum. */
  hex: string;
}

/**
 * Parses `<algo>:<hex>`; a bare hex string is treated as sha256 (consumer behaviour in Flux).
 * Throws on an unknown algorithm or a malformed checksum.
 */
export function parseDigest(digest: string): ParsedDigest {
  const idx = digest.indexOf(':');
  const algo = idx === -1 ? 'sha256' : digest.slice(0, idx);
  const hex = (idx === -1 ? digest : digest.slice(idx + 1)).toLowerCase();
  if (!isDigestAlgorithm(algo)) {
    throw new Error(`invalid digest '${digest}': unsupported algorithm '${algo}'`);
  }
  if (hex.length !== hexLength[algo] || !/^[0-9a-f]+$/.test(hex)) {
    throw new Error(`invalid digest '${digest}': malformed ${algo} checksum`);
  }
  return { algorithm: algo, hex };
}

/** Computes the `<algo>:<hex>` digest and byte size of a file by streaming it. */
export async function digestFile(
  path: string,
  algo: DigestAlgorithm,
  signal?: AbortSignal,
): Promise<{ digest: string; size: number }> {
  const d = createDigester(algo);
  let size = 0;
  for await (const chunk of createReadStream(path, { signal }) as AsyncIterable<Buffer>) {
    d.update(chunk);
    size += chunk.length;
  }
  return { digest: d.digest(), size };
}
