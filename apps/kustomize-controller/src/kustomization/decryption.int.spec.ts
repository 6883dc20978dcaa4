import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogger } from '@flux-ts/testing';
import type { KubeClient, KubeObject, RecordEvent } from '@flux-ts/runtime';
import { NS, ready, startKsHarness, until } from './harness.spec-helper.ts';
import type { KsHarness } from './harness.spec-helper.ts';
import { ageKeygen, gpgKeygen, sopsDotenv, sopsYaml } from './sops-fixtures.spec-helper.ts';
import type { AgeKey, PgpKey } from './sops-fixtures.spec-helper.ts';

const upstreamDir = join(import.meta.dirname, 'fixtures', 'sops-upstream');
const secretGVK = { apiVersion: 'v1', kind: 'Secret' };
type SecretObj = KubeObject & { data?: Record<string, string> };

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/** Cleartext values of the fixtures: none may show up in logs, events or status. */
const SECRETS = ['age-cleartext-1', 'pgp-cleartext-2', 'dotenv-cleartext-3'];

describe('Kustomization SOPS decryption against the API server', () => {
  let h: KsHarness;
  let client: KubeClient;
  let age: AgeKey;
  let pgp: PgpKey;
  let events: { obj: string; ev: RecordEvent }[];
  let logs: string[] = [];

  beforeAll(async () => {
    age = ageKeygen();
    pgp = gpgKeygen();
    const { logger, lines } = capturedLogger();
    logs = lines;
    h = await startKsHarness({
      namespaces: ['apps'],
      logger,
      reconciler: { sopsAgeSecret: { namespace: NS, name: 'sops-age-global' } },
      before: async (c) => {
        await c.create({
          ...secretGVK,
          metadata: { name: 'sops-keys', namespace: NS },
          data: {
            'identity.agekey': b64(age.keyFile),
            'upstream.agekey': b64(await readFile(join(upstreamDir, 'age.agekey'), 'utf8')),
            'pgp.asc': b64(pgp.armoredPrivateKey),
          },
        });
        // The --sops-age-secret fallback: only its *.agekey entries are imported.
        await c.create({
          ...secretGVK,
          metadata: { name: 'sops-age-global', namespace: NS },
          data: { 'global.agekey': b64(age.keyFile), 'pgp.asc': b64(pgp.armoredPrivateKey) },
        });
      },
    });
    client = h.client;
    events = h.events;
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    pgp?.dispose();
  }, 60_000);

  const publish = (name: string, files: Record<string, string>) => h.publish(name, files);
  const createKs = (name: string, spec: Record<string, unknown>) => h.createKs(name, spec);
  const getKs = (name: string) => h.getKs(name);
  const getSecret = (name: string) => client.get<SecretObj>(secretGVK, { namespace: 'apps', name });
  const secretYaml = (name: string, stringData: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    type: 'Opaque',
    stringData,
  });

  it(
    'applies age- and PGP-encrypted Secrets, a sops-made Secret and a generator dotenv; a bad file then fails without pruning',
    { timeout: 120_000 },
    async () => {
      const good = {
        'deploy/kustomization.yaml': [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'resources: [age.yaml, pgp.yaml, upstream.yaml]',
          'secretGenerator:',
          '  - name: from-env',
          '    envs: [app.env]',
          'generatorOptions:',
          '  disableNameSuffixHash: true',
          '',
        ].join('\n'),
        'deploy/age.yaml': sopsYaml(secretYaml('age-secret', { password: SECRETS[0]! }), {
          age: [age.recipient],
          encryptedRegex: '^(data|stringData)$',
        }),
        'deploy/pgp.yaml': sopsYaml(secretYaml('pgp-secret', { token: SECRETS[1]! }), {
          pgp: [pgp],
          encryptedRegex: '^(data|stringData)$',
        }),
        'deploy/upstream.yaml': await readFile(join(upstreamDir, 'age.yaml'), 'utf8'),
        'deploy/app.env': sopsDotenv({ API_KEY: SECRETS[2]! }, { age: [age.recipient] }),
      };
      const rev = await publish('sops', good);
      await createKs('sops', {
        path: './deploy',
        targetNamespace: 'apps',
        decryption: { provider: 'sops', secretRef: { name: 'sops-keys' } },
      });
      const ks = await until('sops Ready', async () => {
        const k = await getKs('sops');
        return ready(k)?.status === 'True' && k.status?.lastAppliedRevision === rev ? k : undefined;
      });
      expect(ready(ks)).toMatchObject({ reason: 'ReconciliationSucceeded', message: `Applied revision: ${rev}` });
      const ageSecret = await getSecret('age-secret');
      expect(unb64(ageSecret.data?.['password'])).toBe(SECRETS[0]);
      expect((ageSecret as unknown as Record<string, unknown>)['sops']).toBeUndefined();
      expect(unb64((await getSecret('pgp-secret')).data?.['token'])).toBe(SECRETS[1]);
      expect(unb64((await getSecret('age')).data?.['key'])).toBe('value');
      expect(unb64((await getSecret('from-env')).data?.['API_KEY'])).toBe(SECRETS[2]);

      // A new revision with a Secret encrypted for a key the decryption Secret does not hold.
      const stranger = ageKeygen();
      const rev2 = await publish('sops', {
        ...good,
        'deploy/kustomization.yaml': good['deploy/kustomization.yaml'].replace(
          'resources: [age.yaml, pgp.yaml, upstream.yaml]',
          'resources: [bad.yaml]',
        ),
        'deploy/bad.yaml': sopsYaml(secretYaml('bad-secret', { password: 'never-decrypted' }), {
          age: [stranger.recipient],
          encryptedRegex: '^(data|stringData)$',
        }),
      });
      const failed = await until('BuildFailed', async () => {
        const k = await getKs('sops');
        return ready(k)?.status === 'False' && k.status?.lastAttemptedRevision === rev2 ? k : undefined;
      });
      expect(ready(failed)).toMatchObject({
        reason: 'BuildFailed',
        message: `decryption failed for 'Secret.v1.[noGrp]/bad-secret': failed to decrypt and format 'apps/bad-secret' Secret data: cannot get sops data key: failed to get the data key required to decrypt the SOPS file: ${stranger.recipient}: no identity matched any of the file's recipients`,
      });
      expect(failed.status?.lastAppliedRevision).toBe(rev);
      // Nothing applied before is pruned because of the failed build.
      for (const name of ['age-secret', 'pgp-secret', 'age', 'from-env']) await getSecret(name);
      expect(failed.status?.inventory?.entries.map((e) => e.id).sort()).toEqual([
        'apps_age-secret__Secret',
        'apps_age__Secret',
        'apps_from-env__Secret',
        'apps_pgp-secret__Secret',
      ]);

      // A generator input that cannot be decrypted names the file.
      const rev3 = await publish('sops', {
        ...good,
        'deploy/app.env': sopsDotenv({ API_KEY: 'never-decrypted' }, { age: [stranger.recipient] }),
      });
      const failed2 = await until('sources BuildFailed', async () => {
        const k = await getKs('sops');
        return ready(k)?.status === 'False' && k.status?.lastAttemptedRevision === rev3 ? k : undefined;
      });
      expect(ready(failed2)?.reason).toBe('BuildFailed');
      expect(ready(failed2)?.message).toBe(
        `error decrypting sources: failed to decrypt 'deploy/app.env': cannot get sops data key: failed to get the data key required to decrypt the SOPS file: ${stranger.recipient}: no identity matched any of the file's recipients`,
      );

      // No cleartext value or key material anywhere the controller writes.
      const written = [JSON.stringify((await getKs('sops')).status), JSON.stringify(events), logs.join('')].join('\n');
      expect(logs.length).toBeGreaterThan(0);
      expect(events.some((e) => e.obj === 'sops' && e.ev.type === 'Warning')).toBe(true);
      for (const s of [...SECRETS, 'never-decrypted', 'AGE-SECRET-KEY-', 'PRIVATE KEY BLOCK'])
        expect(written).not.toContain(s);
    },
  );

  it(
    'refuses an encrypted Secret without spec.decryption, and reports a missing keys Secret',
    { timeout: 60_000 },
    async () => {
      const files = {
        'kustomization.yaml': 'resources: [s.yaml]\n',
        's.yaml': sopsYaml(secretYaml('plain-ks', { a: 'b' }), {
          age: [age.recipient],
          encryptedRegex: '^stringData$',
        }),
      };
      await publish('nodecrypt', files);
      await createKs('nodecrypt', { targetNamespace: 'apps' });
      const ks = await until('ReconciliationFailed', async () => {
        const k = await getKs('nodecrypt');
        return ready(k)?.status === 'False' ? k : undefined;
      });
      expect(ready(ks)).toMatchObject({
        reason: 'ReconciliationFailed',
        message:
          'Secret/apps/plain-ks is SOPS encrypted, configuring decryption is required for this secret to be reconciled',
      });

      await publish('nokeys', files);
      await createKs('nokeys', {
        targetNamespace: 'apps',
        decryption: { provider: 'sops', secretRef: { name: 'missing-keys' } },
      });
      const ks2 = await until('BuildFailed', async () => {
        const k = await getKs('nokeys');
        return ready(k)?.status === 'False' ? k : undefined;
      });
      expect(ready(ks2)?.reason).toBe('BuildFailed');
      expect(ready(ks2)?.message).toBe('secrets "missing-keys" not found');
    },
  );

  it('uses the --sops-age-secret age keys when decryption has no secretRef', { timeout: 60_000 }, async () => {
    const rev = await publish('fallback', {
      'kustomization.yaml': 'resources: [age.yaml, pgp.yaml]\n',
      'age.yaml': sopsYaml(secretYaml('fallback-age', { v: 'fallback-value' }), {
        age: [age.recipient],
        encryptedRegex: '^stringData$',
      }),
      'pgp.yaml': sopsYaml(secretYaml('fallback-pgp', { v: 'x' }), { pgp: [pgp], encryptedRegex: '^stringData$' }),
    });
    await createKs('fallback', { targetNamespace: 'apps', decryption: { provider: 'sops' } });
    const ks = await until('fallback fails on the PGP file', async () => {
      const k = await getKs('fallback');
      return ready(k)?.status === 'False' && k.status?.lastAttemptedRevision === rev ? k : undefined;
    });
    expect(ready(ks)).toMatchObject({
      reason: 'BuildFailed',
      message: `decryption failed for 'Secret.v1.[noGrp]/fallback-pgp': failed to decrypt and format 'apps/fallback-pgp' Secret data: cannot get sops data key: failed to get the data key required to decrypt the SOPS file: ${pgp.fingerprint}: no PGP private key was imported`,
    });
    const rev2 = await publish('fallback', {
      'kustomization.yaml': 'resources: [age.yaml]\n',
      'age.yaml': sopsYaml(secretYaml('fallback-age', { v: 'fallback-value' }), {
        age: [age.recipient],
        encryptedRegex: '^stringData$',
      }),
    });
    await until('fallback Ready', async () => {
      const k = await getKs('fallback');
      return ready(k)?.status === 'True' && k.status?.lastAppliedRevision === rev2 ? k : undefined;
    });
    expect(unb64((await getSecret('fallback-age')).data?.['v'])).toBe('fallback-value');
  });
});
