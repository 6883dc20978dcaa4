import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  SopsKeyring,
  decryptDocument,
  decryptObject,
  detectFormat,
  formatFloat,
  formatForPath,
  hasSopsMetadata,
} from './sops.ts';
import {
  ageKeygen,
  gpgKeygen,
  sopsBinary,
  sopsDotenv,
  sopsIni,
  sopsJson,
  sopsYaml,
} from './sops-fixtures.spec-helper.ts';
import type { AgeKey, PgpKey } from './sops-fixtures.spec-helper.ts';

const upstream = join(import.meta.dirname, 'fixtures', 'sops-upstream');
const read = (f: string) => readFileSync(join(upstream, f), 'utf8');

const secret = (name: string, stringData: Record<string, string | number | boolean>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'apps' },
  type: 'Opaque',
  stringData,
});

describe('SOPS files written by the real sops (kustomize-controller testdata)', () => {
  let keyring: SopsKeyring;
  beforeAll(async () => {
    keyring = new SopsKeyring();
    await keyring.importAge(read('age.agekey'));
  });

  it('decrypts a YAML Secret and verifies its MAC', async () => {
    const out = parse(await decryptDocument(read('age.yaml'), 'yaml', 'yaml', { keyring }));
    expect(out).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'age' }, stringData: { key: 'value' } });
  });

  it('decrypts a dotenv file and a binary file, MAC verified', async () => {
    expect(await decryptDocument(read('env.env'), 'dotenv', 'dotenv', { keyring })).toBe('key=value\n');
    expect(await decryptDocument(read('file.txt'), 'binary', 'binary', { keyring })).toBe('value');
  });

  it('decrypts the whole object of a resource and strips its sops metadata', async () => {
    const obj = parse(read('age.yaml')) as Record<string, unknown>;
    expect(hasSopsMetadata(obj)).toBe(true);
    const out = await decryptObject(obj, { keyring });
    expect(out).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'age' }, stringData: { key: 'value' } });
  });

  it('detects the formats by marker bytes and by path', () => {
    expect(detectFormat(read('age.yaml'))).toBe('yaml');
    expect(detectFormat(read('env.env'))).toBe('dotenv');
    expect(detectFormat(read('file.txt'))).toBe('json');
    expect(detectFormat('a: b\n')).toBeUndefined();
    expect(['a.yaml', 'a.yml', 'a.json', '.dockerconfigjson', 'a.env', 'a.ini', 'a.txt'].map(formatForPath)).toEqual([
      'yaml',
      'yaml',
      'json',
      'json',
      'dotenv',
      'ini',
      'binary',
    ]);
  });
});

describe('SOPS files made with the real age and gpg CLIs', () => {
  let age: AgeKey;
  let other: AgeKey;
  let pgp: PgpKey;
  let ageRing: SopsKeyring;
  let pgpRing: SopsKeyring;
  beforeAll(async () => {
    age = ageKeygen();
    other = ageKeygen();
    pgp = gpgKeygen();
    ageRing = new SopsKeyring();
    await ageRing.importAge(age.keyFile);
    pgpRing = new SopsKeyring();
    await pgpRing.importPgp(pgp.armoredPrivateKey);
  }, 60_000);
  afterAll(() => pgp?.dispose());

  it('decrypts an age-encrypted Secret with typed values', async () => {
    const file = sopsYaml(secret('db', { password: 's3cr3t', port: 5432, ratio: 0.25, enabled: true, empty: '' }), {
      age: [age.recipient],
    });
    expect(file).toContain('-----BEGIN AGE ENCRYPTED FILE-----');
    expect(file).not.toContain('s3cr3t');
    const out = parse(await decryptDocument(file, 'yaml', 'yaml', { keyring: ageRing }));
    expect(out.stringData).toEqual({ password: 's3cr3t', port: 5432, ratio: 0.25, enabled: true, empty: '' });
    expect(out.sops).toBeUndefined();
  });

  it('decrypts a PGP-encrypted Secret', async () => {
    const file = sopsYaml(secret('pgp', { token: 'pgp-value' }), {
      pgp: [pgp],
      encryptedRegex: '^(data|stringData)$',
    });
    expect(file).toContain('-----BEGIN PGP MESSAGE-----');
    const out = parse(await decryptDocument(file, 'yaml', 'yaml', { keyring: pgpRing }));
    expect(out).toMatchObject({ metadata: { name: 'pgp' }, stringData: { token: 'pgp-value' } });
  });

  it('decrypts JSON, dotenv and binary files', async () => {
    const json = sopsJson({ a: { b: ['x', 'y'] }, n: 1 }, { age: [age.recipient] });
    expect(JSON.parse(await decryptDocument(json, 'json', 'json', { keyring: ageRing }))).toEqual({
      a: { b: ['x', 'y'] },
      n: 1,
    });
    const env = sopsDotenv({ USER: 'admin', PASSWORD: 'multi\nline' }, { pgp: [pgp] });
    expect(await decryptDocument(env, 'dotenv', 'dotenv', { keyring: pgpRing })).toBe(
      'USER=admin\nPASSWORD=multi\\nline\n',
    );
    const bin = sopsBinary('raw\nbytes', { age: [age.recipient] });
    expect(await decryptDocument(bin, 'json', 'binary', { keyring: ageRing })).toBe('raw\nbytes');
  });

  it('decrypts INI files, multi-line metadata values included', async () => {
    const ini = sopsIni(
      { db: { user: 'admin', password: 'ini-secret' }, app: { mode: 'prod' } },
      { age: [age.recipient], pgp: [pgp] },
    );
    expect(ini).toContain('[sops]');
    expect(ini).not.toContain('ini-secret');
    expect(await decryptDocument(ini, 'ini', 'ini', { keyring: pgpRing })).toBe(
      '[db]\nuser = admin\npassword = ini-secret\n\n[app]\nmode = prod\n',
    );
  });

  it('fails with the recipient and the cause when no imported key matches', async () => {
    const file = sopsYaml(secret('db', { password: 'hunter2' }), { age: [other.recipient] });
    const err = await decryptDocument(file, 'yaml', 'yaml', { keyring: ageRing }).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `cannot get sops data key: failed to get the data key required to decrypt the SOPS file: ${other.recipient}: no identity matched any of the file's recipients`,
    );
    const none = await decryptDocument(file, 'yaml', 'yaml', { keyring: new SopsKeyring() }).catch((e: Error) => e);
    expect((none as Error).message).toContain(`${other.recipient}: no age identity was imported`);
    const pgpOnly = sopsYaml(secret('db', { password: 'hunter2' }), { pgp: [pgp] });
    const e2 = await decryptDocument(pgpOnly, 'yaml', 'yaml', { keyring: ageRing }).catch((e: Error) => e);
    expect((e2 as Error).message).toContain(`${pgp.fingerprint}: no PGP private key was imported`);
    for (const e of [err, none, e2]) expect((e as Error).message).not.toContain('hunter2');
  });

  it('fails precisely when the data key does not open the values', async () => {
    const file = sopsYaml(secret('db', { password: 'hunter2' }), { age: [age.recipient], dataKey: Buffer.alloc(32) });
    await expect(decryptDocument(file, 'yaml', 'yaml', { keyring: ageRing })).rejects.toThrow(
      "error decrypting sops tree: could not decrypt value at 'apiVersion': could not decrypt with AES_GCM: cipher: message authentication failed",
    );
  });

  it('rejects a tampered value: GCM tag for encrypted values, MAC for cleartext ones', async () => {
    const file = sopsYaml(secret('db', { password: 'hunter2', other: 'x' }), {
      age: [age.recipient],
      encryptedRegex: '^(data|stringData)$',
    });
    const doc = parse(file);
    // Swap two encrypted values: each one is bound to its key path by the AAD.
    [doc.stringData.password, doc.stringData.other] = [doc.stringData.other, doc.stringData.password];
    await expect(decryptDocument(JSON.stringify(doc), 'json', 'json', { keyring: ageRing })).rejects.toThrow(
      "could not decrypt value at 'stringData:password': could not decrypt with AES_GCM",
    );
    // Change an unencrypted value: only the MAC sees it.
    const renamed = file.replace('name: db', 'name: evil');
    await expect(decryptDocument(renamed, 'yaml', 'yaml', { keyring: ageRing })).rejects.toThrow(
      'failed to verify sops data integrity: MAC mismatch (a value was changed after encryption)',
    );
    const out = parse(await decryptDocument(renamed, 'yaml', 'yaml', { keyring: ageRing, verifyMac: false }));
    expect(out.metadata.name).toBe('evil');
    // A broken MAC value.
    const noMac = file.replace(/ {2}mac: ENC\[[^\]]+\]/, '  mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]');
    await expect(decryptDocument(noMac, 'yaml', 'yaml', { keyring: ageRing })).rejects.toThrow(
      'failed to verify sops data integrity: could not decrypt with AES_GCM',
    );
  });

  it('honours unencrypted_suffix, encrypted_regex and mac_only_encrypted', async () => {
    const suffixed = sopsYaml({ user_unencrypted: 'plain', nested: { pass: 'hidden' } }, { age: [age.recipient] });
    expect(parse(suffixed).user_unencrypted).toBe('plain');
    expect(parse(suffixed).nested.pass).toMatch(/^ENC\[AES256_GCM,/);
    expect(parse(await decryptDocument(suffixed, 'yaml', 'yaml', { keyring: ageRing }))).toEqual({
      user_unencrypted: 'plain',
      nested: { pass: 'hidden' },
    });

    const regexed = sopsYaml(secret('r', { a: 'b' }), { age: [age.recipient], encryptedRegex: '^stringData$' });
    expect(parse(regexed).metadata.name).toBe('r');
    expect(parse(regexed).stringData.a).toMatch(/^ENC\[/);
    expect(parse(await decryptDocument(regexed, 'yaml', 'yaml', { keyring: ageRing })).stringData).toEqual({ a: 'b' });

    const macOnly = sopsYaml(secret('m', { a: 'b' }), {
      age: [age.recipient],
      encryptedRegex: '^stringData$',
      macOnlyEncrypted: true,
    });
    // With mac_only_encrypted, cleartext values are outside the MAC.
    const edited = macOnly.replace('name: m', 'name: changed');
    expect(parse(await decryptDocument(edited, 'yaml', 'yaml', { keyring: ageRing })).metadata.name).toBe('changed');
  });

  it('reports Vault and KMS master keys as unsupported', async () => {
    const file = read('age.yaml')
      .replace(
        'hc_vault: []',
        'hc_vault:\n    - vault_address: http://127.0.0.1:8200\n      engine_path: sops\n      key_name: k\n      enc: vault:v1:xx',
      )
      .replace(/ {2}age:\n(?: {4}.*\n| {8}.*\n)+/, '  age: []\n');
    await expect(decryptDocument(file, 'yaml', 'yaml', { keyring: ageRing })).rejects.toThrow(
      'http://127.0.0.1:8200: HashiCorp Vault master keys are not supported by flux-ts (only age and PGP)',
    );
  });

  it('rejects malformed keys at import without echoing them', async () => {
    const ring = new SopsKeyring();
    await expect(ring.importAge('# comment\nAGE-SECRET-KEY-1NOTAKEY\n')).rejects.toThrow(
      'failed to parse age identities: invalid secret key at line 2',
    );
    await expect(ring.importAge('not a key')).rejects.toThrow('malformed secret key at line 1');
    await expect(ring.importAge('# only comments\n')).rejects.toThrow('no secret keys found');
    await expect(ring.importPgp('garbage')).rejects.toThrow('failed to read armored PGP private key');
  });

  it('formats floats as Go strconv.FormatFloat(f, f, -1)', () => {
    expect([1, 1.5, 1e21, 1e-7, -2.5e-8, 123456789012].map(formatFloat)).toEqual([
      '1',
      '1.5',
      '1000000000000000000000',
      '0.0000001',
      '-0.000000025',
      '123456789012',
    ]);
  });
});
