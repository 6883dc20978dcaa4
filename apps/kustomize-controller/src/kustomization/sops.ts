/**
 * The SOPS v3 envelope (getsops/sops `sops.go`, `aes/cipher.go`, `stores/*`), decrypt side only: the data key is
 * recovered from an age or OpenPGP recipient entry, every value the metadata's rules mark as encrypted is opened
 * with AES-256-GCM (AAD = the key path joined with `:` plus a trailing `:`), and the MAC (SHA-512 over the
 * cleartext leaves, itself encrypted with the `lastmodified` string as AAD) can be verified. Formats: YAML, JSON,
 * dotenv, INI and binary. Hand-written: the npm SOPS decoders do only AWS KMS (`sops-decoder`) or only age without
 * PGP, MAC rules or INI (`sops-age`). No function here logs, and no error message carries a cleartext value.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import type { PrivateKey } from 'openpgp';
import { parseDocument, stringify } from 'yaml';
import { errMessage } from '@flux-ts/runtime';

/** A SOPS document format (sops `formats.Format`). */
export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'ini' | 'binary';

/** Display names of the formats, as Flux prints them. */
export const SopsFormatNames: Record<SopsFormat, string> = {
  binary: 'binary',
  dotenv: 'dotenv',
  ini: 'INI',
  json: 'JSON',
  yaml: 'YAML',
};

/** The marker bytes Flux looks for to tell a SOPS-encrypted file of each format. */
export const SopsMarkers: Record<SopsFormat, string> = {
  binary: '"mac": "ENC[',
  dotenv: 'sops_mac=ENC[',
  ini: '[sops]',
  json: '"mac": "ENC[',
  yaml: 'mac: ENC[',
};

/** The format sops infers from a file name (`formats.FormatForPath`, plus Flux's `.dockerconfigjson` → JSON). */
export function formatForPath(path: string): SopsFormat {
  if (path.endsWith('.dockerconfigjson') || path.endsWith('.json')) return 'json';
  if (path.endsWith('.yaml') || path.endsWith('.yml')) return 'yaml';
  if (path.endsWith('.env')) return 'dotenv';
  if (path.endsWith('.ini')) return 'ini';
  return 'binary';
}

/** The format whose marker occurs in `data` (Flux's `detectFormatFromMarkerBytes`), or undefined. */
export function detectFormat(data: string): SopsFormat | undefined {
  for (const f of ['yaml', 'json', 'dotenv', 'ini'] as const) if (data.includes(SopsMarkers[f])) return f;
  return undefined;
}

/** A decryption failure; the message names the cause and never a cleartext value or key material. */
export class SopsError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'SopsError';
  }
}

/** A recipient entry of the metadata (`sops.age[]`, `sops.pgp[]`, the KMS lists). */
type KeyEntry = Record<string, unknown>;

/** The `sops` metadata of a document. */
export interface SopsMetadata {
  lastmodified?: string;
  mac?: string;
  mac_only_encrypted?: boolean | string;
  unencrypted_suffix?: string;
  encrypted_suffix?: string;
  unencrypted_regex?: string;
  encrypted_regex?: string;
  unencrypted_comment_regex?: string;
  encrypted_comment_regex?: string;
  version?: string;
  age?: KeyEntry[] | null;
  pgp?: KeyEntry[] | null;
  kms?: KeyEntry[] | null;
  gcp_kms?: KeyEntry[] | null;
  azure_kv?: KeyEntry[] | null;
  hc_vault?: KeyEntry[] | null;
  key_groups?: Record<string, KeyEntry[] | null>[] | null;
  shamir_threshold?: number | string;
}

// age and OpenPGP are loaded on first use: together they add about 20 MiB to every controller process, and most
// Kustomizations decrypt nothing.
const loadAge = () => import('age-encryption');
const loadOpenpgp = () => import('openpgp');

/** The private keys a decryption may use: age identities and OpenPGP private keys. */
export class SopsKeyring {
  readonly #age: string[] = [];
  readonly #pgp: PrivateKey[] = [];

  /** Number of age identities and PGP keys imported. */
  get size(): { age: number; pgp: number } {
    return { age: this.#age.length, pgp: this.#pgp.length };
  }

  /**
   * Imports the identities of an age key file (`AGE-SECRET-KEY-1…` / `AGE-SECRET-KEY-PQ-1…` lines; `#` comments
   * and blank lines ignored), as sops' `ParsedIdentities.Import`.
   * @throws SopsError when a line is not an age identity or the file has none
   */
  async importAge(text: string): Promise<void> {
    const { identityToRecipient } = await loadAge();
    const ids: string[] = [];
    for (const [i, raw] of text.split(/\r?\n/).entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line))
        throw new SopsError(`failed to parse age identities: malformed secret key at line ${i + 1}`);
      try {
        await identityToRecipient(line);
      } catch {
        throw new SopsError(`failed to parse age identities: invalid secret key at line ${i + 1}`);
      }
      ids.push(line);
    }
    if (ids.length === 0) throw new SopsError('failed to parse age identities: no secret keys found');
    this.#age.push(...ids);
  }

  /**
   * Imports armored OpenPGP private keys (one or more in the block).
   * @throws SopsError when the block has no private key or a key is protected by a passphrase
   */
  async importPgp(armored: string): Promise<void> {
    const openpgp = await loadOpenpgp();
    let keys: PrivateKey[];
    try {
      keys = await openpgp.readPrivateKeys({ armoredKeys: armored });
    } catch (err) {
      throw new SopsError(`failed to read armored PGP private key: ${errMessage(err)}`, { cause: err });
    }
    for (const k of keys)
      if (!k.isDecrypted())
        throw new SopsError(
          `PGP private key ${k.getFingerprint().toUpperCase()} is protected by a passphrase, which is not supported`,
        );
    this.#pgp.push(...keys);
  }

  /** The data key from one key group: age recipients first, then PGP (sops' DefaultDecryptionOrder). */
  async #groupKey(group: Record<string, KeyEntry[] | null | undefined>): Promise<Buffer> {
    const failures: string[] = [];
    for (const e of group['age'] ?? []) {
      const recipient = String(e['recipient'] ?? '');
      if (this.#age.length === 0) {
        failures.push(`${recipient}: no age identity was imported`);
        continue;
      }
      try {
        const { Decrypter, armor } = await loadAge();
        const d = new Decrypter();
        for (const id of this.#age) d.addIdentity(id);
        return Buffer.from(await d.decrypt(armor.decode(String(e['enc'] ?? '').trim())));
      } catch (err) {
        failures.push(`${recipient}: ${errMessage(err)}`);
      }
    }
    for (const e of group['pgp'] ?? []) {
      const fp = String(e['fp'] ?? '');
      if (this.#pgp.length === 0) {
        failures.push(`${fp}: no PGP private key was imported`);
        continue;
      }
      try {
        const openpgp = await loadOpenpgp();
        const message = await openpgp.readMessage({ armoredMessage: String(e['enc'] ?? '') });
        const { data } = await openpgp.decrypt({ message, decryptionKeys: this.#pgp, format: 'binary' });
        return Buffer.from(data);
      } catch (err) {
        failures.push(`${fp}: ${errMessage(err)}`);
      }
    }
    for (const [type, label] of [
      ['hc_vault', 'HashiCorp Vault'],
      ['kms', 'AWS KMS'],
      ['gcp_kms', 'GCP KMS'],
      ['azure_kv', 'Azure Key Vault'],
    ] as const) {
      for (const e of group[type] ?? []) {
        const id = String(e['vault_address'] ?? e['arn'] ?? e['resource_id'] ?? e['vault_url'] ?? type);
        failures.push(`${id}: ${label} master keys are not supported by flux-ts (only age and PGP)`);
      }
    }
    if (failures.length === 0) failures.push('the file has no master keys');
    throw new SopsError(failures.join('; '));
  }

  /**
   * Recovers the 32-byte data key of a document.
   * @throws SopsError `failed to get the data key required to decrypt the SOPS file: <per-recipient causes>`
   */
  async dataKey(meta: SopsMetadata): Promise<Buffer> {
    const groups = meta.key_groups?.length
      ? meta.key_groups
      : [
          {
            age: meta.age ?? null,
            pgp: meta.pgp ?? null,
            kms: meta.kms ?? null,
            gcp_kms: meta.gcp_kms ?? null,
            azure_kv: meta.azure_kv ?? null,
            hc_vault: meta.hc_vault ?? null,
          },
        ];
    if (groups.length > 1)
      throw new SopsError(
        `failed to get the data key required to decrypt the SOPS file: ${groups.length} key groups (Shamir secret sharing) are not supported`,
      );
    try {
      const key = await this.#groupKey(groups[0] ?? {});
      if (key.length !== 32) throw new SopsError(`the data key has ${key.length} bytes, expected 32`);
      return key;
    } catch (err) {
      throw new SopsError(`failed to get the data key required to decrypt the SOPS file: ${errMessage(err)}`, {
        cause: err,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values and the tree walk

const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

/** A comment of the tree (dotenv/INI), walked for the comment regexes but never hashed. */
export class Comment {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
}

/** An ordered tree: maps are `Map`s (key order matters to the MAC), lists arrays, leaves scalars or comments. */
export type TreeValue = string | number | boolean | null | Comment | TreeValue[] | Map<string | Comment, TreeValue>;

/** Opens one `ENC[AES256_GCM,…]` value (sops `aes.Cipher.Decrypt`); `""` stays `""`. */
export function decryptValue(ciphertext: string, key: Buffer, aad: string): string | number | boolean | Comment {
  if (ciphertext === '') return '';
  const m = ENC.exec(ciphertext);
  if (!m) throw new SopsError("input string <redacted> does not match sops' data format");
  const [, data = '', iv = '', tag = '', type = ''] = m;
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
  } catch {
    throw new SopsError('could not decrypt with AES_GCM: cipher: message authentication failed');
  }
  const s = plain.toString('utf8');
  switch (type) {
    case 'str':
    case 'bytes':
      return s;
    case 'int':
    case 'int64':
    case 'float': {
      const n = Number(s);
      if (s.trim() === '' || Number.isNaN(n)) throw new SopsError(`decrypted value is not a valid ${type}`);
      return n;
    }
    case 'bool':
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
      throw new SopsError('decrypted value is not a valid bool');
    case 'comment':
      return new Comment(s);
    default:
      throw new SopsError(`unknown datatype: ${type}`);
  }
}

/** Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatFloat(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = '', int = '', frac = '', expStr = '0'] = m;
  const exp = Number(expStr);
  const digits = int + frac;
  if (exp >= 0) {
    const point = 1 + exp;
    return (
      sign +
      (digits.length <= point
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`)
    );
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** sops' `ToBytes` for the MAC. */
function toBytes(v: string | number | boolean): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'boolean') return Buffer.from(v ? 'True' : 'False');
  return Buffer.from(Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : formatFloat(v));
}

const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === 'True';
}

/** Compiles a Go RE2 pattern from the metadata (the common subset is JS-compatible). */
function regex(pattern: string | undefined, field: string): RegExp | undefined {
  if (!pattern) return undefined;
  try {
    return new RegExp(pattern.replace(/^\(\?([a-z]+)\)/, ''), /^\(\?[a-z]*i/.test(pattern) ? 'i' : '');
  } catch (err) {
    throw new SopsError(`invalid ${field} '${pattern}': ${errMessage(err)}`, { cause: err });
  }
}

/** sops' `shouldBeEncrypted`. */
function encryptionRules(meta: SopsMetadata): (path: string[], comments: string[][], isComment: boolean) => boolean {
  const ur = regex(meta.unencrypted_regex, 'unencrypted_regex');
  const er = regex(meta.encrypted_regex, 'encrypted_regex');
  const ucr = regex(meta.unencrypted_comment_regex, 'unencrypted_comment_regex');
  const ecr = regex(meta.encrypted_comment_regex, 'encrypted_comment_regex');
  return (path, comments, isComment) => {
    let encrypted = true;
    if (meta.unencrypted_suffix && path.some((p) => p.endsWith(meta.unencrypted_suffix as string))) encrypted = false;
    if (meta.encrypted_suffix) encrypted = path.some((p) => p.endsWith(meta.encrypted_suffix as string));
    if (ur && path.some((p) => ur.test(p))) encrypted = false;
    if (er) encrypted = path.some((p) => er.test(p));
    if (ucr && comments.some((cs) => cs.some((c) => ucr.test(c)))) encrypted = false;
    if (ecr) {
      encrypted = false;
      const last = comments.length - 1;
      outer: for (const [i, cs] of comments.entries())
        for (const [j, c] of cs.entries()) {
          if (isComment && i === last && j === (comments[last]?.length ?? 0) - 1) continue;
          if (ecr.test(c)) {
            encrypted = true;
            break outer;
          }
        }
    }
    return encrypted;
  };
}

/** Options of {@link decryptTree}. */
export interface DecryptTreeOptions {
  /** Verify `sops.mac` as `sops decrypt` does (default true). */
  verifyMac?: boolean;
}

/**
 * Decrypts the branches of a document in place (sops `Tree.Decrypt`) and verifies the MAC unless disabled.
 * @throws SopsError `error decrypting sops tree: …` (with the failing key path), or
 *   `failed to verify sops data integrity: …`
 */
export function decryptTree(
  branches: Map<string | Comment, TreeValue>[],
  meta: SopsMetadata,
  key: Buffer,
  opts: DecryptTreeOptions = {},
): void {
  const shouldEncrypt = encryptionRules(meta);
  const macOnlyEncrypted = truthy(meta.mac_only_encrypted);
  const hash = createHash('sha512');
  if (macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);

  const leaf = (v: string | number | boolean | Comment, path: string[], comments: string[][]): TreeValue => {
    const isComment = v instanceof Comment;
    const encrypted = shouldEncrypt(path, comments, isComment);
    let out: string | number | boolean | Comment = v;
    if (encrypted) {
      const aad = path.join(':') + ':';
      if (isComment) {
        try {
          out = decryptValue(v.value, key, aad);
        } catch {
          out = v; // sops: assume the comment was not encrypted in the first place
        }
      } else {
        if (typeof v !== 'string')
          throw new SopsError(`could not decrypt value at '${path.join(':')}': not an encrypted string`);
        try {
          out = decryptValue(v, key, aad);
        } catch (err) {
          throw new SopsError(`could not decrypt value at '${path.join(':')}': ${errMessage(err)}`, { cause: err });
        }
      }
    }
    if ((!macOnlyEncrypted || encrypted) && !(out instanceof Comment)) hash.update(toBytes(out));
    return out;
  };

  const walk = (v: TreeValue, path: string[], comments: string[][]): TreeValue => {
    if (v === null) return null;
    if (Array.isArray(v)) {
      const stack = [...comments, [] as string[]];
      for (let i = 0; i < v.length; i++) {
        const item = v[i] as TreeValue;
        if (item instanceof Comment) stack[stack.length - 1]!.push(item.value);
        v[i] = walk(item, path, stack);
        if (!(item instanceof Comment)) stack[stack.length - 1] = [];
      }
      return v;
    }
    if (v instanceof Map) {
      const stack = [...comments, [] as string[]];
      const entries: [string | Comment, TreeValue][] = [];
      for (const [k, item] of v) {
        if (k instanceof Comment) {
          stack[stack.length - 1]!.push(k.value);
          const c = leaf(k, path, stack);
          entries.push([c instanceof Comment ? c : new Comment(String(c)), item]);
          continue;
        }
        const isComment = item instanceof Comment;
        if (isComment) stack[stack.length - 1]!.push(item.value);
        entries.push([k, walk(item, [...path, k], stack)]);
        if (!isComment) stack[stack.length - 1] = [];
      }
      v.clear();
      for (const [k, x] of entries) v.set(k, x);
      return v;
    }
    return leaf(v, path, comments);
  };

  try {
    for (const b of branches) walk(b, [], []);
  } catch (err) {
    throw new SopsError(`error decrypting sops tree: ${errMessage(err)}`, { cause: err });
  }
  if (opts.verifyMac === false) return;
  const computed = hash.digest('hex').toUpperCase();
  let stored: unknown;
  try {
    const lastModified = String(meta.lastmodified ?? '').replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, '');
    stored = decryptValue(String(meta.mac ?? ''), key, lastModified);
  } catch (err) {
    throw new SopsError(`failed to verify sops data integrity: ${errMessage(err)}`, { cause: err });
  }
  if (stored !== computed)
    throw new SopsError(
      `failed to verify sops data integrity: MAC mismatch${stored === '' ? ' (the file has no MAC)' : ' (a value was changed after encryption)'}`,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Stores

/** A loaded encrypted document: its branches, its metadata and how to emit it in cleartext. */
interface LoadedDocument {
  branches: Map<string | Comment, TreeValue>[];
  meta: SopsMetadata;
}

function toTree(v: unknown): TreeValue {
  if (v instanceof Map) {
    const m = new Map<string | Comment, TreeValue>();
    for (const [k, x] of v) m.set(String(k), toTree(x));
    return m;
  }
  if (Array.isArray(v)) return v.map(toTree);
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const m = new Map<string | Comment, TreeValue>();
    for (const [k, x] of Object.entries(v)) m.set(k, toTree(x));
    return m;
  }
  return String(v);
}

/** Converts a tree back to plain JS (comments dropped). */
export function fromTree(v: TreeValue): unknown {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) if (!(k instanceof Comment) && !(x instanceof Comment)) o[k] = fromTree(x);
    return o;
  }
  if (Array.isArray(v)) return v.filter((x) => !(x instanceof Comment)).map(fromTree);
  if (v instanceof Comment) return undefined;
  return v;
}

function metadataOf(root: Map<string | Comment, TreeValue>): SopsMetadata {
  const raw = root.get('sops');
  if (!(raw instanceof Map)) throw new SopsError('sops metadata not found');
  root.delete('sops');
  return fromTree(raw) as SopsMetadata;
}

/** Rebuilds nested metadata from sops' flattened keys (`age__list_0__map_enc`). */
function unflatten(flat: Map<string, string>): SopsMetadata {
  const root: Record<string, unknown> = {};
  for (const [key, value] of flat) {
    const parts = key.split(/(__list_\d+|__map_)/).filter((p) => p !== '');
    let cur: Record<string, unknown> | unknown[] = root;
    let slot: string | number = parts.shift() ?? '';
    for (let i = 0; i < parts.length; i++) {
      const sep = parts[i] ?? '';
      const list = /^__list_(\d+)$/.exec(sep);
      const container: Record<string, unknown> | unknown[] =
        ((cur as Record<string | number, unknown>)[slot] as Record<string, unknown> | unknown[] | undefined) ??
        (list ? [] : {});
      (cur as Record<string | number, unknown>)[slot] = container;
      cur = container;
      if (list) slot = Number(list[1]);
      else slot = parts[++i] ?? '';
    }
    (cur as Record<string | number, unknown>)[slot] = value;
  }
  return root as SopsMetadata;
}

function loadDotenv(text: string): LoadedDocument {
  const branch = new Map<string | Comment, TreeValue>();
  const flat = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      branch.set(new Comment(line.slice(1)), null);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new SopsError(`invalid dotenv input line: a line has no '='`);
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1).replaceAll('\\n', '\n');
    if (k.startsWith('sops_')) flat.set(k.slice(5), v);
    else branch.set(k, v);
  }
  if (flat.size === 0) throw new SopsError('sops metadata not found');
  return { branches: [branch], meta: unflatten(flat) };
}

function emitDotenv(b: Map<string | Comment, TreeValue>): string {
  let out = '';
  for (const [k, v] of b) {
    if (k instanceof Comment) out += `#${k.value}\n`;
    else out += `${k}=${String(v).replaceAll('\n', '\\n')}\n`;
  }
  return out;
}

const TRIPLE = '"'.repeat(3);

function loadIni(text: string): LoadedDocument {
  const branch = new Map<string | Comment, TreeValue>();
  let section = new Map<string | Comment, TreeValue>();
  let name = 'DEFAULT';
  const flat = new Map<string, string>();
  const close = () => {
    if (name === 'sops') for (const [k, v] of section) flat.set(String(k), String(v));
    else if (name !== 'DEFAULT' || section.size > 0) branch.set(name, section);
  };
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? '').trim();
    if (line === '') continue;
    if (line.startsWith(';') || line.startsWith('#')) {
      section.set(new Comment(line.slice(1).trim()), null);
      continue;
    }
    const s = /^\[(.*)\]$/.exec(line);
    if (s) {
      close();
      name = s[1] ?? '';
      section = new Map();
      continue;
    }
    const eq = line.search(/[=:]/);
    if (eq < 0) {
      section.set(line, '');
      continue;
    }
    let value = line.slice(eq + 1).trim();
    if (value.startsWith(TRIPLE)) {
      // go-ini's multi-line value, triple-quoted across lines (armored keys)
      value = value.slice(3);
      const parts: string[] = [];
      while (!value.endsWith(TRIPLE) && n + 1 < lines.length) {
        parts.push(value);
        value = lines[++n] ?? '';
      }
      parts.push(value.endsWith(TRIPLE) ? value.slice(0, -3) : value);
      value = parts.join('\n');
    }
    section.set(line.slice(0, eq).trim(), value);
  }
  close();
  if (flat.size === 0) throw new SopsError('sops metadata not found');
  return { branches: [branch], meta: unflatten(flat) };
}

function emitIni(b: Map<string | Comment, TreeValue>): string {
  const out: string[] = [];
  for (const [name, section] of b) {
    if (!(section instanceof Map)) continue;
    const lines = [`[${String(name)}]`];
    for (const [k, v] of section) {
      const value = String(v);
      lines.push(
        k instanceof Comment ? `; ${k.value}` : `${k} = ${value.includes('\n') ? TRIPLE + value + TRIPLE : value}`,
      );
    }
    out.push(lines.join('\n') + '\n');
  }
  return out.join('\n');
}

function loadStructured(text: string, format: 'yaml' | 'json' | 'binary'): LoadedDocument {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0)
    throw new SopsError(`failed to load encrypted ${SopsFormatNames[format]} data: ${doc.errors[0]?.message}`);
  const root = toTree(doc.toJS({ mapAsMap: true }));
  if (!(root instanceof Map)) throw new SopsError('sops metadata not found');
  return { branches: [root], meta: metadataOf(root) };
}

function load(text: string, format: SopsFormat): LoadedDocument {
  switch (format) {
    case 'dotenv':
      return loadDotenv(text);
    case 'ini':
      return loadIni(text);
    default:
      return loadStructured(text, format);
  }
}

function emit(branches: Map<string | Comment, TreeValue>[], format: SopsFormat): string {
  const b = branches[0] ?? new Map<string | Comment, TreeValue>();
  switch (format) {
    case 'dotenv':
      return emitDotenv(b);
    case 'ini':
      return emitIni(b);
    case 'binary': {
      const data = b.get('data');
      if (typeof data !== 'string') throw new SopsError("no binary data found in tree: key 'data' is missing");
      return data;
    }
    case 'json':
      return JSON.stringify(fromTree(b), null, '\t') + '\n';
    case 'yaml':
      return stringify(fromTree(b), { indent: 4, lineWidth: 0 });
  }
}

/** Options of {@link decryptDocument}. */
export interface DecryptDocumentOptions extends DecryptTreeOptions {
  keyring: SopsKeyring;
}

/**
 * Decrypts a SOPS file read in `inputFormat` and emits the cleartext in `outputFormat` (Flux's
 * `SopsDecryptWithFormat`).
 * @throws SopsError `failed to load encrypted <F> data: …`, `cannot get sops data key: …`,
 *   `error decrypting sops tree: …`, `failed to verify sops data integrity: …`
 */
export async function decryptDocument(
  text: string,
  inputFormat: SopsFormat,
  outputFormat: SopsFormat,
  opts: DecryptDocumentOptions,
): Promise<string> {
  let doc: LoadedDocument;
  try {
    doc = load(text, inputFormat);
  } catch (err) {
    throw new SopsError(`failed to load encrypted ${SopsFormatNames[inputFormat]} data: ${stripPrefix(err)}`, {
      cause: err,
    });
  }
  const key = await dataKeyOrThrow(opts.keyring, doc.meta);
  decryptTree(doc.branches, doc.meta, key, opts);
  return emit(doc.branches, outputFormat);
}

function stripPrefix(err: unknown): string {
  return errMessage(err).replace(/^failed to load encrypted \w+ data: /, '');
}

async function dataKeyOrThrow(keyring: SopsKeyring, meta: SopsMetadata): Promise<Buffer> {
  try {
    return await keyring.dataKey(meta);
  } catch (err) {
    throw new SopsError(`cannot get sops data key: ${errMessage(err)}`, { cause: err });
  }
}

/** True when a plain object carries SOPS metadata with a MAC (Flux's `isSOPSEncryptedResource`). */
export function hasSopsMetadata(obj: Record<string, unknown>): boolean {
  const s = obj['sops'];
  return typeof s === 'object' && s !== null && !Array.isArray(s) && !!(s as Record<string, unknown>)['mac'];
}

/**
 * Decrypts a whole SOPS-encrypted object (a resource of the build output) and returns it without its `sops` key.
 * The MAC is not verified by default, as in Flux: kustomize changes the document (namespace, labels, name prefix)
 * after encryption; every encrypted value is still authenticated by AES-GCM with its key path as AAD.
 */
export async function decryptObject(
  obj: Record<string, unknown>,
  opts: DecryptDocumentOptions,
): Promise<Record<string, unknown>> {
  const root = toTree(obj) as Map<string | Comment, TreeValue>;
  const meta = metadataOf(root);
  const key = await dataKeyOrThrow(opts.keyring, meta);
  decryptTree([root], meta, key, { verifyMac: opts.verifyMac ?? false });
  return fromTree(root) as Record<string, unknown>;
}
