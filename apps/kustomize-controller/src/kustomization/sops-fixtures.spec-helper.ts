/**
 * Test-only SOPS fixture generator: writes files in the exact SOPS v3 format (the `sops` binary is not available
 * here), with the data key wrapped by the real Debian `age -r <recipient> -a` and `gpg --encrypt --armor` CLIs, the
 * values sealed with AES-256-GCM (32-byte IV, AAD = key path joined with `:` plus `:`) and the MAC computed as
 * sops' `Tree.Encrypt` does. Its encryption rules are written independently of ../sops.ts on purpose.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** An age key pair made by `age-keygen`. */
export interface AgeKey {
  /** The key file as `age-keygen` writes it (comments + `AGE-SECRET-KEY-1…`). */
  keyFile: string;
  recipient: string;
}

/** Generates an age identity with the real `age-keygen`. */
export function ageKeygen(): AgeKey {
  const dir = mkdtempSync(join(tmpdir(), 'sops-age-'));
  try {
    execFileSync('age-keygen', ['-o', join(dir, 'key.txt')], { stdio: 'pipe' });
    const keyFile = readFileSync(join(dir, 'key.txt'), 'utf8');
    const recipient = /# public key: (age1[0-9a-z]+)/.exec(keyFile)?.[1];
    if (!recipient) throw new Error('age-keygen wrote no public key');
    return { keyFile, recipient };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A GnuPG home with one unprotected key (ed25519 primary, cv25519 encryption subkey). */
export interface PgpKey {
  home: string;
  fingerprint: string;
  /** `gpg --armor --export-secret-keys`. */
  armoredPrivateKey: string;
  /** Stops the home's gpg-agent and removes the home. */
  dispose(): void;
}

/** Generates an OpenPGP key with the real `gpg --batch --gen-key`. */
export function gpgKeygen(name = 'flux-ts sops test'): PgpKey {
  const home = mkdtempSync(join(tmpdir(), 'sops-gpg-'));
  const gpg = (args: string[], input?: string) =>
    execFileSync('gpg', ['--homedir', home, '--batch', '--quiet', ...args], {
      stdio: 'pipe',
      ...(input !== undefined ? { input } : {}),
    }).toString('utf8');
  gpg(
    ['--gen-key'],
    [
      'Key-Type: EDDSA',
      'Key-Curve: ed25519',
      'Key-Usage: sign',
      'Subkey-Type: ECDH',
      'Subkey-Curve: cv25519',
      'Subkey-Usage: encrypt',
      `Name-Real: ${name}`,
      'Name-Email: sops@flux-ts.test',
      'Expire-Date: 0',
      '%no-protection',
      '%commit',
      '',
    ].join('\n'),
  );
  const colons = gpg(['--with-colons', '--list-secret-keys']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
  if (!fingerprint) throw new Error('gpg generated no key');
  const armoredPrivateKey = gpg(['--armor', '--export-secret-keys', fingerprint]);
  return {
    home,
    fingerprint,
    armoredPrivateKey,
    dispose() {
      try {
        execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'pipe' });
      } catch {
        // no agent running
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Options of the fixture writers. */
export interface SopsFixtureOptions {
  age?: string[];
  pgp?: PgpKey[];
  encryptedRegex?: string;
  /** Default `_unencrypted` unless another rule is given (as sops). */
  unencryptedSuffix?: string;
  macOnlyEncrypted?: boolean;
  lastModified?: string;
  /** Replaces the real data key after wrapping (to make an undecryptable file). */
  dataKey?: Buffer;
}

type Leaf = string | number | boolean;
type Value = Leaf | null | Value[] | { [k: string]: Value };

function seal(v: Leaf, key: Buffer, aad: string): string {
  if (v === '') return '';
  let type: string;
  let plain: string;
  if (typeof v === 'string') [type, plain] = ['str', v];
  else if (typeof v === 'boolean') [type, plain] = ['bool', v ? 'True' : 'False'];
  else if (Number.isInteger(v)) [type, plain] = ['int', String(v)];
  else [type, plain] = ['float', String(v)];
  const iv = randomBytes(32);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${c.getAuthTag().toString('base64')},type:${type}]`;
}

function macBytes(v: Leaf): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** The data key, wrapped for each recipient by the real CLIs. */
function wrap(dataKey: Buffer, opts: SopsFixtureOptions, now: string) {
  const age = (opts.age ?? []).map((recipient) => ({
    recipient,
    enc: execFileSync('age', ['-r', recipient, '-a'], { input: dataKey, stdio: 'pipe' }).toString('utf8'),
  }));
  const pgp = (opts.pgp ?? []).map((k) => ({
    created_at: now,
    enc: execFileSync(
      'gpg',
      [
        '--homedir',
        k.home,
        '--batch',
        '--quiet',
        '--trust-model',
        'always',
        '--encrypt',
        '--armor',
        '-r',
        k.fingerprint,
      ],
      { input: dataKey, stdio: 'pipe' },
    ).toString('utf8'),
    fp: k.fingerprint,
  }));
  return { age, pgp };
}

/** Encrypts a tree as sops' `Tree.Encrypt`; returns the encrypted tree and the metadata. */
function encryptTree(doc: { [k: string]: Value }, opts: SopsFixtureOptions) {
  const dataKey = randomBytes(32);
  const now = opts.lastModified ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const suffix = opts.unencryptedSuffix ?? (opts.encryptedRegex === undefined ? '_unencrypted' : undefined);
  const re = opts.encryptedRegex !== undefined ? new RegExp(opts.encryptedRegex) : undefined;
  const hash = createHash('sha512');
  if (opts.macOnlyEncrypted)
    hash.update(Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex'));
  const shouldEncrypt = (path: string[]) => {
    let enc = true;
    if (suffix && path.some((p) => p.endsWith(suffix))) enc = false;
    if (re) enc = path.some((p) => re.test(p));
    return enc;
  };
  const walk = (v: Value, path: string[]): Value => {
    if (v === null) return null;
    if (Array.isArray(v)) return v.map((x) => walk(x, path));
    if (typeof v === 'object') {
      const o: { [k: string]: Value } = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x, [...path, k]);
      return o;
    }
    const enc = shouldEncrypt(path);
    if (!opts.macOnlyEncrypted || enc) hash.update(macBytes(v));
    return enc ? seal(v, dataKey, path.join(':') + ':') : v;
  };
  const tree = walk(doc, []) as { [k: string]: Value };
  const mac = seal(hash.digest('hex').toUpperCase(), dataKey, now);
  const { age, pgp } = wrap(opts.dataKey ? randomBytes(32) : dataKey, opts, now);
  const meta: { [k: string]: Value } = {
    kms: [],
    gcp_kms: [],
    azure_kv: [],
    hc_vault: [],
    age,
    lastmodified: now,
    mac,
    pgp,
    ...(opts.macOnlyEncrypted ? { mac_only_encrypted: true } : {}),
    ...(opts.encryptedRegex !== undefined ? { encrypted_regex: opts.encryptedRegex } : {}),
    ...(suffix ? { unencrypted_suffix: suffix } : {}),
    version: '3.9.0',
  };
  return { tree, meta };
}

/** A SOPS-encrypted YAML document (as `sops encrypt` writes, 2-space indent). */
export function sopsYaml(doc: { [k: string]: Value }, opts: SopsFixtureOptions): string {
  const { tree, meta } = encryptTree(doc, opts);
  return stringify({ ...tree, sops: meta }, { lineWidth: 0 });
}

/** A SOPS-encrypted JSON document. */
export function sopsJson(doc: { [k: string]: Value }, opts: SopsFixtureOptions): string {
  const { tree, meta } = encryptTree(doc, opts);
  return JSON.stringify({ ...tree, sops: meta }, null, '\t');
}

/** A SOPS-encrypted binary file (the JSON envelope with one `data` value). */
export function sopsBinary(content: string, opts: SopsFixtureOptions): string {
  return sopsJson({ data: content }, opts);
}

function flatten(v: Value, prefix: string, out: [string, string][]): void {
  if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${prefix}__list_${i}`, out));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}__map_${k}` : k, out);
  else if (v !== null) out.push([prefix, String(v)]);
}

/** A SOPS-encrypted dotenv file (`sops_` metadata keys flattened and sorted, as sops writes them). */
export function sopsDotenv(entries: Record<string, string>, opts: SopsFixtureOptions): string {
  const { tree, meta } = encryptTree(entries, opts);
  const flat: [string, string][] = [];
  flatten(meta, '', flat);
  const lines = Object.entries(tree).map(([k, v]) => `${k}=${String(v)}`);
  for (const [k, v] of flat.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    lines.push(`sops_${k}=${v.replaceAll('\n', '\\n')}`);
  return lines.join('\n') + '\n';
}

/** A SOPS-encrypted INI file (sections of `key = value`, metadata flattened into `[sops]`). */
export function sopsIni(sections: Record<string, Record<string, string>>, opts: SopsFixtureOptions): string {
  const triple = '"'.repeat(3);
  const { tree, meta } = encryptTree(sections, opts);
  const flat: [string, string][] = [];
  flatten(meta, '', flat);
  const quote = (v: string) => (v.includes('\n') ? triple + v + triple : v);
  const out = Object.entries(tree as Record<string, Record<string, string>>).map(
    ([name, kv]) =>
      `[${name}]\n${Object.entries(kv)
        .map(([k, v]) => `${k} = ${quote(v)}\n`)
        .join('')}`,
  );
  out.push(`[sops]\n${flat.map(([k, v]) => `${k} = ${quote(v)}\n`).join('')}`);
  return out.join('\n');
}

/** Writes a file (test convenience). */
export function writeFixture(path: string, content: string): void {
  writeFileSync(path, content);
}
