import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sampleReleases } from './release-fixture.spec-helper.ts';
import {
  decodeRelease,
  encodeRelease,
  releaseJson,
  releaseKey,
  releaseToSecret,
  ReleaseNotFoundError,
  SecretsDriver,
  secretToRelease,
  type SecretObject,
  type SecretsClient,
} from './storage.ts';

function memoryClient(): SecretsClient & { items: Map<string, SecretObject> } {
  const items = new Map<string, SecretObject>();
  const matches = (s: SecretObject, sel: Record<string, string>): boolean =>
    Object.entries(sel).every(([k, v]) => s.metadata.labels?.[k] === v);
  return {
    items,
    get: async (n) => items.get(n),
    list: async (sel) => [...items.values()].filter((s) => matches(s, sel)),
    create: async (s) => void items.set(s.metadata.name, s),
    update: async (s) => void items.set(s.metadata.name, s),
    delete: async (n) => void items.delete(n),
  };
}

describe('release encoding', () => {
  const [r1] = sampleReleases();

  it('writes Helm JSON field names in Go struct order, HTML-safe, numbers as digits', () => {
    const json = releaseJson(r1!);
    expect(Object.keys(JSON.parse(json) as object)).toEqual([
      'name',
      'info',
      'chart',
      'config',
      'manifest',
      'hooks',
      'version',
      'namespace',
    ]);
    expect(json).toContain(
      '"info":{"first_deployed":"2024-05-01T10:00:00Z","last_deployed":"2024-05-01T10:00:00Z","deleted":"","description":"Install complete","status":"superseded","notes":"thanks for installing \\u003cdemo\\u003e"}',
    );
    expect(json).toContain('"config":{"extra":{"k":"v"},"replicas":3}');
    expect(json).toContain('"values":{"image":{"tag":"v1"},"replicas":2}');
    expect(json).not.toContain('labels');
  });

  it('is base64(gzip(JSON)) starting with H4sI and decodes back', () => {
    const enc = encodeRelease(r1!);
    expect(enc.startsWith('H4sI')).toBe(true);
    const back = decodeRelease(enc);
    expect(releaseJson(back)).toBe(releaseJson(r1!));
  });

  it('decodes payloads without the gzip magic (releases stored before compression)', () => {
    const plain = Buffer.from('{"name":"old","version":3}').toString('base64');
    expect(decodeRelease(plain)).toEqual({ name: 'old', version: 3 });
    const gz = gzipSync(Buffer.from('{"name":"gz"}')).toString('base64');
    expect(decodeRelease(gz).name).toBe('gz');
    expect(() => decodeRelease('***')).toThrow('illegal base64 data');
  });

  it('makes the Secret helm makes: name, type, labels, double base64 data', () => {
    const s = releaseToSecret(r1!);
    expect(s.metadata.name).toBe('sh.helm.release.v1.demo.v1');
    expect(s.type).toBe('helm.sh/release.v1');
    expect(s.metadata.labels).toEqual({ team: 'a', name: 'demo', owner: 'helm', status: 'superseded', version: '1' });
    expect(s.data['release']?.startsWith('SDRzSU')).toBe(true);
    const back = secretToRelease(s);
    expect(back.labels).toEqual({ team: 'a' });
    expect(releaseJson(back)).toBe(releaseJson(r1!));
  });
});

describe('SecretsDriver', () => {
  it('creates, lists, queries history and the deployed revision, updates and deletes', async () => {
    const c = memoryClient();
    const d = new SecretsDriver(c, { now: () => 1700000000 });
    const [r1, r2] = sampleReleases();
    await d.create(releaseKey('demo', 1), r1!);
    await d.create(releaseKey('demo', 2), r2!);
    await expect(d.create(releaseKey('demo', 2), r2!)).rejects.toThrow('release: already exists');
    expect(c.items.get('sh.helm.release.v1.demo.v1')?.metadata.labels?.['createdAt']).toBe('1700000000');
    expect((await d.history('demo')).map((r) => r.version)).toEqual([1, 2]);
    expect((await d.deployed('demo')).version).toBe(2);
    expect((await d.last('demo')).version).toBe(2);
    expect((await d.list((r) => r.info?.status === 'superseded')).map((r) => r.version)).toEqual([1]);
    await d.update(releaseKey('demo', 2), { ...r2!, info: { ...r2!.info!, status: 'failed' } });
    expect(c.items.get('sh.helm.release.v1.demo.v2')?.metadata.labels?.['status']).toBe('failed');
    expect(c.items.get('sh.helm.release.v1.demo.v2')?.metadata.labels?.['modifiedAt']).toBe('1700000000');
    await expect(d.deployed('demo')).rejects.toBeInstanceOf(ReleaseNotFoundError);
    expect((await d.delete(releaseKey('demo', 1))).version).toBe(1);
    await expect(d.get(releaseKey('demo', 1))).rejects.toThrow('release: not found');
    await expect(d.query({ name: 'nope' })).rejects.toThrow('release: not found');
  });
});
