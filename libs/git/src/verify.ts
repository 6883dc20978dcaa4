import type * as openpgp from 'openpgp';
import type { SecretData } from './auth.ts';
import { InvalidInputError, VerificationError } from './errors.ts';
import type { CheckoutResult } from './checkout.ts';
import { loadOpenpgp } from './lazy-modules.ts';
import { isSshSignature, verifySshSignature } from './ssh-signature.ts';

/** Something signed: the signed bytes and the armored signature (a commit's `gpgsig`, a tag's signature). */
export interface Signed {
  hash: string;
  payload: string;
  signature?: string;
}

/** A verified signature. */
export interface VerifiedSignature {
  /** `openpgp` or `ssh` (`gpg.format=ssh`). */
  format: 'openpgp' | 'ssh';
  /** OpenPGP: hex fingerprint of the trusted primary key; SSH: `SHA256:…` fingerprint of the signing key. */
  fingerprint: string;
  /** OpenPGP: hex id of the signing (sub)key; SSH: same as `fingerprint`. */
  keyId: string;
}

/** `spec.verify.mode` values (Flux accepts `head` as an alias of `HEAD`). */
export type VerifyMode = 'HEAD' | 'head' | 'Tag' | 'TagAndHEAD';

const isPgpKey = (k: string): boolean => k.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----');

/**
 * The trusted keys of a verification Secret's (decoded) data: `*.asc` entries (armored OpenPGP public keys) and
 * `*.sshpub` entries (authorized_keys format).
 */
export function keysFromSecret(data: SecretData): string[] {
  return Object.entries(data)
    .filter(([k]) => k.endsWith('.asc') || k.endsWith('.sshpub'))
    .map(([, v]) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8')));
}

async function verifySigned(what: string, obj: Signed, trustedKeys: readonly string[]): Promise<VerifiedSignature> {
  if (!obj.signature) throw new VerificationError(`unable to verify ${what} '${obj.hash}': no signature found`);
  if (isSshSignature(obj.signature)) {
    const sshKeys = trustedKeys.filter((k) => !isPgpKey(k));
    if (sshKeys.length === 0)
      throw new VerificationError(`unable to verify ${what} '${obj.hash}': no ssh public keys given`);
    try {
      const fingerprint = verifySshSignature(obj.payload, obj.signature, sshKeys);
      return { format: 'ssh', fingerprint, keyId: fingerprint };
    } catch (err) {
      throw new VerificationError(`unable to verify ${what} '${obj.hash}': ${(err as Error).message}`, { cause: err });
    }
  }
  const armoredKeys = trustedKeys.filter(isPgpKey);
  if (armoredKeys.length === 0)
    throw new InvalidInputError(`unable to verify ${what} '${obj.hash}': no public keys given`);
  const pgp = await loadOpenpgp();
  let keys: openpgp.Key[];
  try {
    keys = (await Promise.all(armoredKeys.map((armoredKeys) => pgp.readKeys({ armoredKeys })))).flat();
  } catch (err) {
    throw new InvalidInputError(`unable to read public keys: ${(err as Error).message}`, { cause: err });
  }
  try {
    const signature = await pgp.readSignature({ armoredSignature: obj.signature });
    // git signs the raw bytes (binary signature), so the payload is not text-canonicalised.
    const message = await pgp.createMessage({ binary: Buffer.from(obj.payload, 'utf8') });
    const { signatures } = await pgp.verify({ message, signature, verificationKeys: keys, expectSigned: true });
    const sig = signatures[0];
    if (!sig) throw new Error('no signature packet');
    await sig.verified;
    const key = keys.find((k) => k.getKeys(sig.keyID).length > 0);
    return {
      format: 'openpgp',
      fingerprint: key?.getFingerprint().toUpperCase() ?? '',
      keyId: sig.keyID.toHex().toUpperCase(),
    };
  } catch (err) {
    throw new VerificationError(`unable to verify ${what} '${obj.hash}': ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Verifies a commit's signature, OpenPGP against the armored public keys among `trustedKeys`, or SSH
 * (`gpg.format=ssh`) against the authorized_keys-format ones; throws {@link VerificationError}.
 */
export function verifyCommit(commit: Signed, trustedKeys: readonly string[]): Promise<VerifiedSignature> {
  return verifySigned('commit', commit, trustedKeys);
}

/** Verifies an annotated tag's signature like {@link verifyCommit}; throws {@link VerificationError}. */
export function verifyTag(tag: Signed, trustedKeys: readonly string[]): Promise<VerifiedSignature> {
  return verifySigned('tag', tag, trustedKeys);
}

/**
 * Applies `spec.verify.mode` to a checkout: HEAD verifies the commit, Tag the annotated tag, TagAndHEAD both. Tag
 * modes need a tag/semver (or `refs/tags/…`) ref with an annotated tag. Returns the verified signatures.
 */
export async function verifyCheckout(
  result: Extract<CheckoutResult, { skipped: false }>,
  mode: VerifyMode,
  trustedKeys: readonly string[],
): Promise<{ commit?: VerifiedSignature; tag?: VerifiedSignature }> {
  const out: { commit?: VerifiedSignature; tag?: VerifiedSignature } = {};
  if (mode === 'Tag' || mode === 'TagAndHEAD') {
    if (!result.tag)
      throw new VerificationError(
        "cannot verify tag object's signature if a tag reference is not specified or the tag is not annotated",
      );
    out.tag = await verifyTag(result.tag, trustedKeys);
  }
  if (mode === 'HEAD' || mode === 'head' || mode === 'TagAndHEAD')
    out.commit = await verifyCommit(result.commit, trustedKeys);
  return out;
}
