import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkCosignClaims,
  cosignPayload,
  cosignPublicKey,
  cosignSignatureTag,
  verifyCosignSignature,
} from './cosign.ts';

/**
 * A genuine cosign artifact (cosign v3.0.4, `cosign sign --key … --tlog-upload=false`, classic attached format),
 * as published in tobby-fetch/tobby-fetch `internal/sigverify` tests: the key, the payload layer and its signature.
 */
const REAL = {
  pub: `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEA9oFvTJJuu0cszKBsiuqfFYN3NLV
meleaASYW5l+nqDxoUg4f8177owlgVD89pZQ9jUxP8dbibmDJpvcjBo9RQ==
-----END PUBLIC KEY-----
`,
  subject: 'sha256:f20c43161d73848408ef247f0ec7111b19fe58ffebc0cbcaa0d2c8bda4967268',
  payload:
    '{"critical":{"identity":{"docker-reference":"localhost:15381/tobby/fixture"},"image":{"docker-manifest-digest":"sha256:f20c43161d73848408ef247f0ec7111b19fe58ffebc0cbcaa0d2c8bda4967268"},"type":"cosign container image signature"},"optional":null}',
  signature: 'MEUCIEB+pz4s+9yxG+Om/bukeAfwloKFEISUhxLvIYlP02P8AiEAz1oNkilC+cprxcrEHqN0vxM+zvP34ikHFzi8e7Sevls=',
};

describe('cosign (real cosign output)', () => {
  it('verifies the genuine signature and its claims', () => {
    const key = cosignPublicKey(REAL.pub);
    expect(verifyCosignSignature(key, Buffer.from(REAL.payload), REAL.signature)).toBe(true);
    expect(checkCosignClaims(Buffer.from(REAL.payload), REAL.subject).critical.identity['docker-reference']).toBe(
      'localhost:15381/tobby/fixture',
    );
  });

  it('builds the payload byte for byte as cosign does', () => {
    expect(cosignPayload('localhost:15381/tobby/fixture', REAL.subject).toString()).toBe(REAL.payload);
  });

  it('refuses a tampered payload, a tampered signature, another digest and a foreign key', () => {
    const key = cosignPublicKey(REAL.pub);
    const tampered = REAL.payload.replace('f20c4', 'f20c5');
    expect(verifyCosignSignature(key, Buffer.from(tampered), REAL.signature)).toBe(false);
    const sig = Buffer.from(REAL.signature, 'base64');
    sig[10] = (sig[10] ?? 0) ^ 1;
    expect(verifyCosignSignature(key, Buffer.from(REAL.payload), sig.toString('base64'))).toBe(false);
    expect(() => checkCosignClaims(Buffer.from(REAL.payload), `sha256:${'0'.repeat(64)}`)).toThrow(
      'invalid or missing digest in claim',
    );
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyCosignSignature(other, Buffer.from(REAL.payload), REAL.signature)).toBe(false);
  });
});

describe('cosign keys', () => {
  it.each([
    ['ECDSA P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['ECDSA P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ed25519', () => generateKeyPairSync('ed25519')],
  ])('%s: a PEM public key verifies what the private key signed', async (_name, gen) => {
    const { sign } = await import('node:crypto');
    const { publicKey, privateKey } = gen();
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    const key = cosignPublicKey(Buffer.from(pem));
    const payload = cosignPayload('r/x', REAL.subject, { env: 'prod' });
    const alg = privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    const sig = sign(alg, payload, privateKey).toString('base64');
    expect(verifyCosignSignature(key, payload, sig)).toBe(true);
    expect(JSON.parse(payload.toString()).optional).toEqual({ env: 'prod' });
  });

  it('refuses what is not a PEM public key', () => {
    expect(() => cosignPublicKey('not a key')).toThrow('PEM decoding failed');
    expect(() => cosignPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toThrow(
      'PEM decoding failed',
    );
  });

  it('names the signature tag as cosign does', () => {
    expect(cosignSignatureTag(REAL.subject)).toBe(
      'sha256-f20c43161d73848408ef247f0ec7111b19fe58ffebc0cbcaa0d2c8bda4967268.sig',
    );
  });
});
