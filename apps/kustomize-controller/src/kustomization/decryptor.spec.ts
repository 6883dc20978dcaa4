import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfinedFs } from '@flux-ts/artifact';
import { Decryptor, isDecryptionDisabled, isEncryptedSecret } from './decryptor.ts';
import { buildManifests } from './build.ts';
import { ageKeygen, gpgKeygen, sopsBinary, sopsDotenv, sopsYaml } from './sops-fixtures.spec-helper.ts';
import type { AgeKey, PgpKey } from './sops-fixtures.spec-helper.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

describe('Decryptor', () => {
  let age: AgeKey;
  let pgp: PgpKey;
  let dec: Decryptor;
  let root: string;
  beforeAll(async () => {
    age = ageKeygen();
    pgp = gpgKeygen();
    dec = await Decryptor.fromSecretData(
      { 'identity.agekey': b64(age.keyFile), 'key.asc': b64(pgp.armoredPrivateKey), 'sops.vault-token': b64('t') },
      'flux-system/sops-keys',
    );
  }, 60_000);
  afterAll(() => {
    pgp?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function tree(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'decryptor-'));
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), c);
    }
    return dir;
  }

  it('names the Secret key that fails to import', async () => {
    await expect(Decryptor.fromSecretData({ 'bad.agekey': b64('nope') }, 'flux-system/sops-keys')).rejects.toThrow(
      "failed to import 'bad.agekey' data from sops decryption Secret 'flux-system/sops-keys': failed to parse age identities: malformed secret key at line 1",
    );
  });

  it('decrypts secretGenerator envs and files and local patches in place, recursively, before the build', async () => {
    root = tree({
      'kustomization.yaml': 'resources:\n  - base\n',
      'base/kustomization.yaml': [
        'secretGenerator:',
        '  - name: app',
        '    envs: [app.env]',
        '    files: [token=token.txt, config.yaml, plain.txt]',
        'patches:',
        '  - path: patch.yaml',
        '',
      ].join('\n'),
      'base/app.env': sopsDotenv({ USER: 'admin', PASS: 'env-secret' }, { age: [age.recipient] }),
      'base/token.txt': sopsBinary('binary-secret', { pgp: [pgp] }),
      'base/config.yaml': sopsYaml({ db: { password: 'yaml-secret' } }, { age: [age.recipient] }),
      'base/plain.txt': 'not encrypted\n',
      'base/patch.yaml': sopsYaml(
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app' }, stringData: { extra: 'patched' } },
        { age: [age.recipient], encryptedRegex: '^stringData$' },
      ),
    });
    await dec.decryptSources(new ConfinedFs(root), root);
    expect(readFileSync(join(root, 'base/app.env'), 'utf8')).toBe('USER=admin\nPASS=env-secret\n');
    expect(readFileSync(join(root, 'base/token.txt'), 'utf8')).toBe('binary-secret');
    expect(parse(readFileSync(join(root, 'base/config.yaml'), 'utf8'))).toEqual({ db: { password: 'yaml-secret' } });
    expect(readFileSync(join(root, 'base/plain.txt'), 'utf8')).toBe('not encrypted\n');
    expect(parse(readFileSync(join(root, 'base/patch.yaml'), 'utf8')).stringData).toEqual({ extra: 'patched' });
    expect(statSync(join(root, 'base/app.env')).mode & 0o777).toBe(0o600);
  });

  it('builds a kustomization whose generator reads SOPS files, and decrypts SOPS resources of the output', async () => {
    const dir = tree({
      'kustomization.yaml': [
        'resources: [secret.yaml, cm.yaml]',
        'secretGenerator:',
        '  - name: gen',
        '    envs: [gen.env]',
        'generatorOptions:',
        '  disableNameSuffixHash: true',
        '',
      ].join('\n'),
      'gen.env': sopsDotenv({ KEY: 'generated' }, { age: [age.recipient] }),
      'secret.yaml': sopsYaml(
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'whole' }, stringData: { password: 'whole-doc' } },
        { pgp: [pgp], encryptedRegex: '^(data|stringData)$' },
      ),
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n',
    });
    try {
      const objects = await buildManifests({
        root: dir,
        spec: { interval: '1m', sourceRef: { kind: 'GitRepository', name: 'x' }, prune: true, targetNamespace: 'apps' },
        strictSubstitutions: true,
        decryptor: dec,
      });
      const byName = Object.fromEntries(objects.map((o) => [o.metadata.name, o as unknown as Record<string, unknown>]));
      expect(byName['whole']).toMatchObject({ metadata: { namespace: 'apps' }, stringData: { password: 'whole-doc' } });
      expect(byName['whole']!['sops']).toBeUndefined();
      expect(unb64((byName['gen']!['data'] as Record<string, string>)['KEY']!)).toBe('generated');
      expect(byName['cm']).toMatchObject({ data: { a: 'b' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a build with the file and the cause, and with the object and the cause', async () => {
    const other = ageKeygen();
    const dir = tree({
      'kustomization.yaml': 'secretGenerator:\n  - name: gen\n    envs: [bad.env]\n',
      'bad.env': sopsDotenv({ KEY: 'v' }, { age: [other.recipient] }),
    });
    const spec = { interval: '1m', sourceRef: { kind: 'GitRepository' as const, name: 'x' }, prune: true };
    try {
      await expect(buildManifests({ root: dir, spec, strictSubstitutions: true, decryptor: dec })).rejects.toThrow(
        `error decrypting sources: failed to decrypt 'bad.env': cannot get sops data key: failed to get the data key required to decrypt the SOPS file: ${other.recipient}: no identity matched any of the file's recipients`,
      );
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [s.yaml]\n');
      writeFileSync(
        join(dir, 's.yaml'),
        sopsYaml(
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'nokey', namespace: 'apps' }, data: { a: b64('x') } },
          { age: [other.recipient], encryptedRegex: '^data$' },
        ),
      );
      await expect(buildManifests({ root: dir, spec, strictSubstitutions: true, decryptor: dec })).rejects.toThrow(
        `decryption failed for 'Secret.v1.[noGrp]/nokey': failed to decrypt and format 'apps/nokey' Secret data: cannot get sops data key: failed to get the data key required to decrypt the SOPS file: ${other.recipient}: no identity matched any of the file's recipients`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips references that leave the root (symlinks resolved) and refuses irregular files', async () => {
    const outside = tree({ 'secret.env': sopsDotenv({ K: 'v' }, { age: [age.recipient] }) });
    const dir = tree({
      'kustomization.yaml': `secretGenerator:\n  - name: a\n    envs: [../${outside.split('/').pop()}/secret.env]\n`,
    });
    try {
      await dec.decryptSources(new ConfinedFs(dir), dir);
      expect(readFileSync(join(outside, 'secret.env'), 'utf8')).toContain('sops_mac=ENC[');
      writeFileSync(join(dir, 'kustomization.yaml'), 'secretGenerator:\n  - name: a\n    envs: [link.env]\n');
      symlinkSync(join(outside, 'secret.env'), join(dir, 'link.env'));
      await dec.decryptSources(new ConfinedFs(dir), dir); // leaves the root: skipped, for kustomize to refuse
      expect(readFileSync(join(outside, 'secret.env'), 'utf8')).toContain('sops_mac=ENC[');
      writeFileSync(join(dir, 'inside.env'), readFileSync(join(outside, 'secret.env')));
      symlinkSync(join(dir, 'inside.env'), join(dir, 'link-in.env'));
      writeFileSync(join(dir, 'kustomization.yaml'), 'secretGenerator:\n  - name: a\n    envs: [link-in.env]\n');
      await expect(dec.decryptSources(new ConfinedFs(dir), dir)).rejects.toThrow(
        "failed to decrypt 'link-in.env': cannot decrypt irregular file as it has file mode type bits set",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('decrypts SOPS files held in Secret data entries, and passes other objects through', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'apps' },
      data: { 'app.env': b64(sopsDotenv({ A: '1' }, { age: [age.recipient] })), plain: b64('p') },
    };
    const out = await dec.decryptResource(secret);
    expect(unb64(out.data['app.env'])).toBe('A=1\n');
    expect(out.data.plain).toBe(b64('p'));

    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    expect(await dec.decryptResource(cm)).toBe(cm);

    const disabled = sopsYaml(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'd', annotations: { 'kustomize.toolkit.fluxcd.io/decrypt': 'Disabled' } },
        stringData: { a: 'b' },
      },
      { age: [age.recipient], encryptedRegex: '^stringData$' },
    );
    const d = parse(disabled) as Record<string, unknown>;
    expect(isDecryptionDisabled(d)).toBe(true);
    expect(await dec.decryptResource(d)).toBe(d);
    expect(isEncryptedSecret(d)).toBe(true);
  });
});
