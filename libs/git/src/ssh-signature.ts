import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { loadSsh2 } from './lazy-modules.ts';

/** Hand-written reader of SSH wire-format fields (RFC 4251 `string`/`uint32`); ssh2 exposes no parser for SSHSIG. */
class WireReader {
  private pos = 0;
  private readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new Error('truncated ssh data');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  uint32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
}

function wireString(b: Buffer | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

const ARMOR = /-----BEGIN SSH SIGNATURE-----([\s\S]*?)-----END SSH SIGNATURE-----/;

/** Whether an armored signature is an SSH signature (`gpg.format=ssh`) rather than OpenPGP. */
export function isSshSignature(signature: string): boolean {
  return ARMOR.test(signature);
}

/** Wire-format public key blobs of authorized_keys-format lines (`[options] type base64 [comment]`). */
export function parseAuthorizedKeys(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const i = fields.findIndex((f) => /^(ssh-|ecdsa-|sk-)/.test(f));
    const b64 = i >= 0 ? fields[i + 1] : undefined;
    if (b64) out.push(Buffer.from(b64, 'base64'));
  }
  return out;
}

function unsignedMpint(b: Buffer, size: number): Buffer {
  const trimmed = b[0] === 0 ? b.subarray(1) : b;
  return Buffer.concat([Buffer.alloc(Math.max(0, size - trimmed.length)), trimmed]);
}

function keyObject(blob: Buffer): { key: KeyObject; type: string; ecSize?: number } {
  const r = new WireReader(blob);
  const type = r.string().toString();
  if (type === 'ssh-ed25519') {
    const x = r.string();
    return {
      key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') }, format: 'jwk' }),
      type,
    };
  }
  if (type === 'ssh-rsa') {
    const e = r.string();
    const n = r.string();
    return {
      key: createPublicKey({
        key: { kty: 'RSA', e: e.toString('base64url'), n: unsignedMpint(n, 0).toString('base64url') },
        format: 'jwk',
      }),
      type,
    };
  }
  const curves: Record<string, [string, number]> = {
    'ecdsa-sha2-nistp256': ['P-256', 32],
    'ecdsa-sha2-nistp384': ['P-384', 48],
    'ecdsa-sha2-nistp521': ['P-521', 66],
  };
  const curve = curves[type];
  if (curve) {
    r.string(); // curve name
    const q = r.string(); // 0x04 || X || Y
    const size = curve[1];
    const jwk = {
      kty: 'EC',
      crv: curve[0],
      x: q.subarray(1, 1 + size).toString('base64url'),
      y: q.subarray(1 + size).toString('base64url'),
    };
    return { key: createPublicKey({ key: jwk, format: 'jwk' }), type, ecSize: size };
  }
  throw new Error(`unsupported ssh key type '${type}'`);
}

/**
 * Verifies an SSH signature (OpenSSH PROTOCOL.sshsig, namespace `git`) over `payload` against authorized_keys-format
 * trusted keys. Supports ssh-ed25519, ssh-rsa (rsa-sha2-256/512) and ecdsa-sha2-nistp256/384/521 keys. Returns the
 * SHA256 fingerprint of the key (`SHA256:…`), throws with the reason otherwise.
 */
export function verifySshSignature(payload: string, armored: string, authorizedKeys: readonly string[]): string {
  const m = ARMOR.exec(armored);
  if (!m?.[1]) throw new Error('not an ssh signature');
  const r = new WireReader(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  if (r.bytes(6).toString() !== 'SSHSIG') throw new Error('invalid ssh signature: bad magic');
  const version = r.uint32();
  if (version !== 1) throw new Error(`unsupported ssh signature version ${version}`);
  const publicKey = r.string();
  const namespace = r.string().toString();
  const reserved = r.string();
  const hashAlg = r.string().toString();
  const sig = new WireReader(r.string());
  if (namespace !== 'git') throw new Error(`ssh signature namespace is '${namespace}', want 'git'`);
  if (hashAlg !== 'sha256' && hashAlg !== 'sha512') throw new Error(`unsupported ssh signature hash '${hashAlg}'`);
  const trusted = authorizedKeys.flatMap(parseAuthorizedKeys);
  if (!trusted.some((k) => k.equals(publicKey))) throw new Error('signature key is not among the trusted ssh keys');
  const signed = Buffer.concat([
    Buffer.from('SSHSIG'),
    wireString(namespace),
    wireString(reserved),
    wireString(hashAlg),
    wireString(createHash(hashAlg).update(payload).digest()),
  ]);
  const sigAlg = sig.string().toString();
  const sigBlob = sig.string();
  const { key, type, ecSize } = keyObject(publicKey);
  let ok: boolean;
  if (type === 'ssh-ed25519') ok = cryptoVerify(null, signed, key, sigBlob);
  else if (type === 'ssh-rsa') {
    const digest = sigAlg === 'rsa-sha2-512' ? 'sha512' : sigAlg === 'rsa-sha2-256' ? 'sha256' : undefined;
    if (!digest) throw new Error(`unsupported ssh rsa signature algorithm '${sigAlg}'`);
    ok = cryptoVerify(digest, signed, key, sigBlob);
  } else {
    const rs = new WireReader(sigBlob);
    const size = ecSize ?? 32;
    const p1363 = Buffer.concat([unsignedMpint(rs.string(), size), unsignedMpint(rs.string(), size)]);
    const digest = size === 32 ? 'sha256' : size === 48 ? 'sha384' : 'sha512';
    ok = cryptoVerify(digest, signed, { key, dsaEncoding: 'ieee-p1363' }, p1363);
  }
  if (!ok) throw new Error('ssh signature does not verify');
  return `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Signs `payload` as `ssh-keygen -Y sign -n git` does (OpenSSH PROTOCOL.sshsig, sha512), with an OpenSSH private key
 * (`identity`, optionally encrypted with `passphrase`); returns the armored signature git puts in `gpgsig`.
 * ssh-ed25519 and RSA (rsa-sha2-512) keys.
 */
export async function signSsh(payload: string, identity: string, passphrase?: string): Promise<string> {
  const ssh2 = await loadSsh2();
  const parsed = ssh2.utils.parseKey(identity, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) throw new Error('unable to read ssh signing key (wrong passphrase or invalid key)');
  const magic = Buffer.from('SSHSIG');
  const hash = createHash('sha512').update(payload, 'utf8').digest();
  const signed = Buffer.concat([magic, wireString('git'), wireString(''), wireString('sha512'), wireString(hash)]);
  const rsa = key.type === 'ssh-rsa';
  const raw = key.sign(signed, rsa ? 'sha512' : undefined);
  if (raw instanceof Error) throw raw;
  const sigAlgo = rsa ? 'rsa-sha2-512' : key.type;
  const version = Buffer.alloc(4);
  version.writeUInt32BE(1);
  const blob = Buffer.concat([
    magic,
    version,
    wireString(key.getPublicSSH()),
    wireString('git'),
    wireString(''),
    wireString('sha512'),
    wireString(Buffer.concat([wireString(sigAlgo), wireString(raw)])),
  ]);
  const b64 = blob.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN SSH SIGNATURE-----\n${b64.join('\n')}\n-----END SSH SIGNATURE-----\n`;
}
