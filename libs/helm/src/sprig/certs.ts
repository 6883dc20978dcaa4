// Sprig's certificate functions (genCA, genSelfSignedCert, genSignedCert, their *WithKey forms, buildCustomCert):
// X.509 v3 certificates as Go's x509.CreateCertificate writes them from Sprig's template (random 128-bit serial,
// CN subject, NotBefore now, NotAfter now + days, KeyUsage, ExtKeyUsage serverAuth+clientAuth, BasicConstraints,
// SANs; a CA gets CertSign, IsCA and a SubjectKeyId), DER-encoded here because Node cannot create certificates.
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { isIP } from 'node:net';
import { GoStruct, typeName } from '../template/values.ts';
import { strval } from './cast.ts';

const tlv = (tag: number, body: Buffer): Buffer => {
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 255);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const int = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && ((b[i + 1] ?? 0) & 0x80) === 0) i++;
  let body = b.subarray(i);
  if (((body[0] ?? 0) & 0x80) !== 0) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(0x02, body);
};
const oid = (s: string): Buffer => {
  const p = s.split('.').map(Number);
  const out = [40 * (p[0] ?? 0) + (p[1] ?? 0)];
  for (const x of p.slice(2)) {
    const b: number[] = [x & 0x7f];
    for (let v = Math.floor(x / 128); v > 0; v = Math.floor(v / 128)) b.unshift((v & 0x7f) | 0x80);
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
};
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const time = (d: Date): Buffer => {
  const p = (n: number): string => String(n).padStart(2, '0');
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(p(y % 100) + rest));
  return tlv(0x18, Buffer.from(String(y).padStart(4, '0') + rest));
};
const name = (cn: string): Buffer => {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(cn);
  const value = tlv(printable ? 0x13 : 0x0c, Buffer.from(cn, 'utf8'));
  return cn === '' ? seq() : seq(set(seq(oid('2.5.4.3'), value)));
};

/** Reads one TLV at offset o: the whole element and its body. */
function readTlv(b: Buffer, o: number): { all: Buffer; body: Buffer; next: number } {
  let len = b[o + 1] ?? 0;
  let hdr = 2;
  if (len & 0x80) {
    const k = len & 0x7f;
    len = 0;
    for (let i = 0; i < k; i++) len = len * 256 + (b[o + 2 + i] ?? 0);
    hdr = 2 + k;
  }
  return { all: b.subarray(o, o + hdr + len), body: b.subarray(o + hdr, o + hdr + len), next: o + hdr + len };
}

/** The raw subject Name and SubjectKeyId of a DER certificate. */
function certInfo(der: Buffer): { subject: Buffer; skid?: Buffer } {
  const tbs = readTlv(readTlv(der, 0).body, 0).body;
  let o = 0;
  const fields: { all: Buffer; body: Buffer }[] = [];
  while (o < tbs.length) {
    const t = readTlv(tbs, o);
    fields.push(t);
    o = t.next;
  }
  const off = fields[0]?.all[0] === 0xa0 ? 1 : 0;
  const subject = fields[off + 4]?.all ?? seq();
  const exts = fields.find((f) => f.all[0] === 0xa3);
  let skid: Buffer | undefined;
  if (exts) {
    const list = readTlv(exts.body, 0).body;
    for (let p = 0; p < list.length;) {
      const e = readTlv(list, p);
      p = e.next;
      const id = readTlv(e.body, 0);
      if (id.all.equals(oid('2.5.29.14'))) {
        let q = id.next;
        let v = readTlv(e.body, q);
        if (v.all[0] === 0x01) {
          q = v.next;
          v = readTlv(e.body, q);
        }
        skid = readTlv(v.body, 0).body;
      }
    }
  }
  return skid === undefined ? { subject } : { subject, skid };
}

function sigAlg(key: KeyObject): { alg: Buffer; hash: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { alg: seq(oid('1.2.840.113549.1.1.11'), tlv(0x05, Buffer.alloc(0))), hash: 'sha256' };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp384r1') return { alg: seq(oid('1.2.840.10045.4.3.3')), hash: 'sha384' };
      if (curve === 'secp521r1') return { alg: seq(oid('1.2.840.10045.4.3.4')), hash: 'sha512' };
      return { alg: seq(oid('1.2.840.10045.4.3.2')), hash: 'sha256' };
    }
    case 'ed25519':
      return { alg: seq(oid('1.3.101.112')), hash: null };
    default:
      throw new Error('x509: only RSA, ECDSA and Ed25519 keys supported');
  }
}

/** Go's pem.Encode of a block. */
export function pemBlock(type: string, der: Buffer): string {
  return `-----BEGIN ${type}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${type}-----\n`;
}

/** pemBlockForKey: PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for Ed25519. */
export function keyPem(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return pemBlock('RSA PRIVATE KEY', key.export({ type: 'pkcs1', format: 'der' }));
    case 'ec':
      return pemBlock('EC PRIVATE KEY', key.export({ type: 'sec1', format: 'der' }));
    default:
      return pemBlock('PRIVATE KEY', key.export({ type: 'pkcs8', format: 'der' }));
  }
}

/** Sprig's parsePrivateKeyPEM. */
export function parsePrivateKeyPEM(pem: string): KeyObject {
  const m = /-----BEGIN ([A-Z ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error('no PEM data in input');
  const der = Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64');
  const type = m[1] ?? '';
  if (type !== 'PRIVATE KEY' && !type.endsWith(' PRIVATE KEY')) {
    throw new Error(`no private key data in PEM block of type ${type}`);
  }
  try {
    if (type === 'RSA PRIVATE KEY') return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
    if (type === 'EC PRIVATE KEY') return createPrivateKey({ key: der, format: 'der', type: 'sec1' });
    if (type === 'PRIVATE KEY') return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw new Error((e as Error).message, { cause: e });
  }
  throw new Error(`invalid private key type ${type}`);
}

/** The certificate struct of Sprig (fields Cert and Key). */
export function certificate(cert: string, key: string): GoStruct {
  return new GoStruct(
    'sprig.certificate',
    new Map([
      ['Cert', cert],
      ['Key', key],
    ]),
  );
}

function parseIPs(ips: unknown[]): Buffer[] {
  return ips.map((ip) => {
    if (typeof ip !== 'string') throw new Error(`error parsing ip: ${strval(ip)} is not a string`);
    const v = isIP(ip);
    if (v === 4) return Buffer.from(ip.split('.').map(Number));
    if (v === 6) {
      const [head = '', tail = ''] = ip.split('::');
      const h = head ? head.split(':') : [];
      const t = tail ? tail.split(':') : [];
      const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
      return Buffer.from(groups.flatMap((g: string) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]));
    }
    throw new Error(`error parsing ip: ${ip}`);
  });
}

/** Creates a certificate: the signee's key, the parent's subject and key (self-signed when parent is undefined). */
export function createCertificate(
  opts: {
    cn: string;
    ips: unknown[];
    dns: unknown[];
    days: number;
    isCA: boolean;
    now: Date;
    serial: Buffer;
  },
  signee: KeyObject,
  parent?: { cert: string; key: string },
): GoStruct {
  const ipBytes = parseIPs(opts.ips);
  const dns = opts.dns.map((d) => {
    if (typeof d !== 'string') throw new Error(`error processing alternate dns name: ${strval(d)} is not a string`);
    return d;
  });
  let issuer = name(opts.cn);
  let signer = signee;
  let authorityKeyId: Buffer | undefined;
  if (parent !== undefined) {
    const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(parent.cert);
    if (!m) throw new Error('unable to decode certificate');
    const der = Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64');
    try {
      new X509Certificate(der);
    } catch (e) {
      throw new Error(`error parsing certificate: decodedSignerCert.Bytes: ${(e as Error).message}`, { cause: e });
    }
    const info = certInfo(der);
    issuer = info.subject;
    authorityKeyId = info.skid;
    try {
      signer = parsePrivateKeyPEM(parent.key);
    } catch (e) {
      throw new Error(`error parsing private key: ${(e as Error).message}`, { cause: e });
    }
  }
  const spki = createPublicKey(signee).export({ type: 'spki', format: 'der' });
  const { alg, hash } = sigAlg(signer);
  // KeyUsage bits: digitalSignature (0), keyEncipherment (2), keyCertSign (5).
  const ku = opts.isCA ? 0xa4 : 0xa0;
  const exts: Buffer[] = [
    seq(oid('2.5.29.15'), bool(true), octets(bits(Buffer.from([ku]), opts.isCA ? 2 : 5))),
    seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2')))),
    seq(oid('2.5.29.19'), bool(true), octets(opts.isCA ? seq(bool(true)) : seq())),
  ];
  if (opts.isCA) {
    const pub = readTlv(readTlv(spki, 0).body, readTlv(readTlv(spki, 0).body, 0).next).body.subarray(1);
    exts.push(seq(oid('2.5.29.14'), octets(octets(createHash('sha1').update(pub).digest()))));
  }
  if (authorityKeyId !== undefined) exts.push(seq(oid('2.5.29.35'), octets(seq(tlv(0x80, authorityKeyId)))));
  if (dns.length > 0 || ipBytes.length > 0) {
    const names = [...dns.map((d) => tlv(0x82, Buffer.from(d))), ...ipBytes.map((b) => tlv(0x87, b))];
    exts.push(seq(oid('2.5.29.17'), octets(seq(...names))));
  }
  const notAfter = new Date(opts.now.getTime() + opts.days * 86400000);
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(opts.serial),
    alg,
    issuer,
    seq(time(opts.now), time(notAfter)),
    name(opts.cn),
    spki,
    tlv(0xa3, seq(...exts)),
  );
  const sig = sign(hash, tbs, signer);
  const der = seq(tbs, alg, bits(sig));
  return certificate(pemBlock('CERTIFICATE', der), keyPem(signee));
}

/** rsa.GenerateKey(rand.Reader, 2048). */
export function rsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** Sprig's buildCustomCert: base64 PEM certificate and key, checked. */
export function buildCustomCert(b64cert: string, b64key: string, b64: (s: string) => Buffer): GoStruct {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = b64(b64cert);
  } catch {
    throw new Error('unable to decode base64 certificate');
  }
  try {
    key = b64(b64key);
  } catch {
    throw new Error('unable to decode base64 private key');
  }
  const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(cert.toString('latin1'));
  if (!m) throw new Error('unable to decode certificate');
  try {
    new X509Certificate(Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64'));
  } catch (e) {
    throw new Error(`error parsing certificate: decodedCert.Bytes: ${(e as Error).message}`, { cause: e });
  }
  try {
    parsePrivateKeyPEM(key.toString('utf8'));
  } catch (e) {
    throw new Error(`error parsing private key: ${(e as Error).message}`, { cause: e });
  }
  return certificate(cert.toString('utf8'), key.toString('utf8'));
}

/** The Cert and Key of a certificate struct argument. */
export function certFields(ca: unknown): { cert: string; key: string } {
  if (!(ca instanceof GoStruct) || typeName(ca) !== 'sprig.certificate') throw new Error('not a certificate');
  return { cert: String(ca.fields.get('Cert') ?? ''), key: String(ca.fields.get('Key') ?? '') };
}
