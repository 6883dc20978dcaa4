import type { LookupFunction } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, tlsCertificate } from '@flux-ts/testbed';
import type { Registry, TlsMaterial } from '@flux-ts/testbed';
import {
  OCI_MANIFEST_MEDIA_TYPE,
  RegistryClient,
  RegistryError,
  computeDigest,
  parseReference,
  pushImage,
} from './index.ts';

const USER = 'flux';
const PASSWORD = 's3cret-Pa55word';
const IDENTITY = 'refresh-0123456789';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const signal = (): AbortSignal => AbortSignal.timeout(20_000);

let root: string;
let anon: Registry;
let basic: Registry;
let secure: Registry;
let token: Registry;
let tls: TlsMaterial;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-oci-'));
  tls = await tlsCertificate();
  [anon, basic, secure, token] = await Promise.all([
    startRegistry({ dir: join(root, 'anon'), tagsPageSize: 2 }),
    startRegistry({ dir: join(root, 'basic'), auth: { username: USER, password: PASSWORD } }),
    startRegistry({ dir: join(root, 'tls'), tls, auth: { username: USER, password: PASSWORD } }),
    startRegistry({
      dir: join(root, 'token'),
      token: true,
      auth: { username: USER, password: PASSWORD },
      identityToken: IDENTITY,
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([anon, basic, secure, token].filter(Boolean).map((r) => r.close()));
  rmSync(root, { recursive: true, force: true });
});

/** Pushes a small artifact (config + one layer) under the given tags; returns digests and bytes. */
async function pushArtifact(client: RegistryClient, host: string, repo: string, tags: string[], content = 'hello') {
  const config = enc('{"kind":"test"}');
  const layer = enc(content);
  const configDigest = await client.pushBlob(host, repo, config, signal());
  const layerDigest = await client.pushBlob(host, repo, layer, signal());
  const manifest = enc(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: { mediaType: 'application/vnd.cncf.flux.config.v1+json', digest: configDigest, size: config.byteLength },
      layers: [
        { mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', digest: layerDigest, size: layer.byteLength },
      ],
      annotations: { 'org.opencontainers.image.revision': content },
    }),
  );
  let digest = '';
  for (const t of tags)
    digest = await client.pushManifest(
      parseReference(`${host}/${repo}:${t}`),
      manifest,
      OCI_MANIFEST_MEDIA_TYPE,
      signal(),
    );
  return { configDigest, layerDigest, layer, manifest, digest };
}

function caught(p: Promise<unknown>): Promise<RegistryError> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as RegistryError,
  );
}

describe('RegistryClient against docker-registry (anonymous, plain HTTP)', () => {
  it('pushes and pulls blobs and manifests, lists paged tags', async () => {
    const client = new RegistryClient({ insecure: true });
    const a = await pushArtifact(client, anon.host, 'flux/app', ['1.0.0', '1.1.0', 'latest', '2.0.0', 'dev']);
    expect(a.digest).toBe(computeDigest(a.manifest));
    anon.resetCounts();
    const tags = await client.listTags(anon.host, 'flux/app', signal());
    expect([...tags].sort()).toEqual(['1.0.0', '1.1.0', '2.0.0', 'dev', 'latest']);
    expect(anon.counts()['GET tags']).toBe(3); // 5 tags, 2 a page: followed the Link headers
    const got = await client.getManifest(parseReference(`${anon.host}/flux/app:1.1.0`), signal());
    expect(got.digest).toBe(a.digest);
    expect(got.mediaType).toBe(OCI_MANIFEST_MEDIA_TYPE);
    expect(Buffer.from(got.bytes).equals(Buffer.from(a.manifest))).toBe(true);
    expect(got.manifest.layers?.[0]?.digest).toBe(a.layerDigest);
    const byDigest = await client.getManifest(parseReference(`${anon.host}/flux/app@${a.digest}`), signal());
    expect(byDigest.digest).toBe(a.digest);
    expect(await client.headManifest(parseReference(`${anon.host}/flux/app:latest`), signal())).toEqual({
      digest: a.digest,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
    });
    const blob = await client.fetchBlob(anon.host, 'flux/app', a.layerDigest, { signal: signal(), maxSize: 1024 });
    expect(Buffer.from(blob).toString()).toBe('hello');
  });

  it('skips uploading blobs the repository has', async () => {
    const client = new RegistryClient({ insecure: true });
    await pushArtifact(client, anon.host, 'flux/dedup', ['a']);
    anon.resetCounts();
    await pushArtifact(client, anon.host, 'flux/dedup', ['b']);
    const c = anon.counts();
    expect(c['HEAD blob']).toBe(2);
    expect(c['POST upload']).toBeUndefined();
    expect(c['PUT manifest']).toBe(1);
  });

  it('pushImage pushes a tiny linux/amd64 image under each tag', async () => {
    const client = new RegistryClient({ insecure: true });
    const digest = await pushImage(client, anon.host, 'flux/image', ['v1', 'v2'], 'layer v1', signal());
    expect(await pushImage(client, anon.host, 'flux/image', [], 'layer v1', signal())).toBe('');
    for (const tag of ['v1', 'v2']) {
      const got = await client.getManifest(parseReference(`${anon.host}/flux/image:${tag}`), signal());
      expect(got.digest).toBe(digest);
      expect(got.manifest.config?.mediaType).toBe('application/vnd.oci.image.config.v1+json');
      const layer = got.manifest.layers?.[0];
      expect(layer?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
      const blob = await client.fetchBlob(anon.host, 'flux/image', layer!.digest, { signal: signal(), maxSize: 1024 });
      expect(Buffer.from(blob).toString()).toBe('layer v1');
    }
    const other = await pushImage(client, anon.host, 'flux/image', ['v3'], 'layer v3', signal());
    expect(other).not.toBe(digest);
  });

  it('reports distribution error codes', async () => {
    const client = new RegistryClient({ insecure: true });
    const missing = await caught(client.getManifest(parseReference(`${anon.host}/flux/app:9.9.9`), signal()));
    expect(missing).toBeInstanceOf(RegistryError);
    expect(missing.status).toBe(404);
    expect(missing.code).toBe('MANIFEST_UNKNOWN');
    expect(missing.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/v2\/flux\/app\/manifests\/9\.9\.9: MANIFEST_UNKNOWN: manifest unknown/,
    );
    const noRepo = await caught(client.listTags(anon.host, 'flux/nothing-here', signal()));
    expect(noRepo.code).toBe('NAME_UNKNOWN');
    const head = await caught(client.headManifest(parseReference(`${anon.host}/flux/app:9.9.9`), signal()));
    expect(head.status).toBe(404);
  });

  it('enforces size caps', async () => {
    const client = new RegistryClient({ insecure: true });
    const a = await pushArtifact(client, anon.host, 'flux/big', ['1'], 'x'.repeat(4096));
    const err = await caught(
      client.fetchBlob(anon.host, 'flux/big', a.layerDigest, { signal: signal(), maxSize: 4095 }),
    );
    expect(err.code).toBe('SIZE_EXCEEDED');
    expect(err.message).toMatch(/exceeds the limit of 4095 bytes/);
    const ok = await client.fetchBlob(anon.host, 'flux/big', a.layerDigest, { signal: signal(), maxSize: 4096 });
    expect(ok.byteLength).toBe(4096);
  });

  it('detects digest mismatches of tampered blobs and manifests', async () => {
    const client = new RegistryClient({ insecure: true });
    const a = await pushArtifact(client, anon.host, 'flux/tamper', ['1'], 'original-content');
    const blobFile = (d: string): string =>
      join(root, 'anon', 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', d.slice(7, 9), d.slice(7), 'data');
    writeFileSync(blobFile(a.layerDigest), 'tampered-content');
    const blobErr = await caught(
      client.fetchBlob(anon.host, 'flux/tamper', a.layerDigest, { signal: signal(), maxSize: 1024 }),
    );
    expect(blobErr.code).toBe('DIGEST_MISMATCH');
    expect(blobErr.message).toMatch(/blob digest sha256:[0-9a-f]{64} does not match sha256:/);
    const m = readFileSync(blobFile(a.digest), 'utf8');
    writeFileSync(blobFile(a.digest), m.replace('original-content', 'tampered-content'));
    const byDigest = await caught(client.getManifest(parseReference(`${anon.host}/flux/tamper@${a.digest}`), signal()));
    expect(byDigest.code).toBe('DIGEST_MISMATCH');
    const byTag = await caught(client.getManifest(parseReference(`${anon.host}/flux/tamper:1`), signal()));
    expect(byTag.code).toBe('DIGEST_MISMATCH');
    expect(byTag.message).toMatch(/does not match Docker-Content-Digest/);
  });

  it('stops when the signal aborts', async () => {
    const client = new RegistryClient({ insecure: true });
    const ctl = new AbortController();
    ctl.abort(new Error('reconcile cancelled'));
    await expect(client.listTags(anon.host, 'flux/app', ctl.signal)).rejects.toThrow('reconcile cancelled');
  });

  it('refuses plain HTTP to a non-local registry unless insecure', async () => {
    // registry.example.com resolves to the loopback registry, but go-containerregistry deems only local names local.
    const port = anon.host.split(':')[1] ?? '';
    const lookup = ((_host: string, options: unknown, cb: (...args: unknown[]) => void) => {
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      if (all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      else cb(null, '127.0.0.1', 4);
    }) as unknown as LookupFunction;
    const client = new RegistryClient({ lookup });
    const err = await caught(client.listTags(`registry.example.com:${port}`, 'flux/app', signal()));
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.message).toMatch(/^GET https:\/\/registry\.example\.com:\d+\/v2\/flux\/app\/tags\/list: /);
    expect(err.message).not.toContain('http://');
    const insecure = new RegistryClient({ lookup, insecure: true });
    expect(await insecure.listTags(`registry.example.com:${port}`, 'flux/app', signal())).toContain('1.0.0');
  });

  it('falls back to plain HTTP for a local registry after HTTPS fails, as Flux (go-containerregistry) does', async () => {
    const client = new RegistryClient({});
    expect(await client.listTags(anon.host, 'flux/app', signal())).toContain('1.0.0');
    const ref = parseReference(`${anon.host}/flux/app:1.0.0`);
    expect((await client.headManifest(ref, signal())).digest).toMatch(/^sha256:/);
    const local = new RegistryClient({});
    const port = anon.host.split(':')[1] ?? '';
    expect(await local.listTags(`localhost:${port}`, 'flux/app', signal())).toContain('1.0.0');
    const helm = new RegistryClient({ localHttpFallback: false });
    const err = await caught(helm.listTags(anon.host, 'flux/app', signal()));
    expect(err.message).toMatch(/^GET https:\/\/127\.0\.0\.1:\d+\/v2\/flux\/app\/tags\/list: /);
  });
});

describe('RegistryClient with basic auth (htpasswd)', () => {
  it('answers the Basic challenge with the credentials and caches the scheme', async () => {
    const client = new RegistryClient({
      insecure: true,
      credentials: async (host) => (host === basic.host ? { username: USER, password: PASSWORD } : undefined),
    });
    basic.resetCounts();
    const a = await pushArtifact(client, basic.host, 'private/app', ['1.0.0']);
    const got = await client.getManifest(parseReference(`${basic.host}/private/app:1.0.0`), signal());
    expect(got.digest).toBe(a.digest);
    expect(await client.listTags(basic.host, 'private/app', signal())).toEqual(['1.0.0']);
    expect(basic.counts()['unauthorized']).toBe(1); // only the very first request went without credentials
  });

  it('a wrong or missing password is a clear 401 that does not carry the password', async () => {
    const wrong = new RegistryClient({ insecure: true, credentials: { username: USER, password: 'wrong-Pa55' } });
    const err = await caught(wrong.listTags(basic.host, 'private/app', signal()));
    expect(err.status).toBe(401);
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toMatch(/UNAUTHORIZED: authentication required/);
    expect(err.message).not.toContain('wrong-Pa55');
    expect(JSON.stringify(err)).not.toContain('wrong-Pa55');
    const none = await caught(new RegistryClient({ insecure: true }).listTags(basic.host, 'private/app', signal()));
    expect(none.status).toBe(401);
    expect(none.code).toBe('UNAUTHORIZED');
  });
});

describe('RegistryClient over TLS', () => {
  it('trusts the given CA (with basic auth)', async () => {
    const client = new RegistryClient({
      tls: { ca: enc(tls.ca) },
      credentials: { username: USER, password: PASSWORD },
    });
    try {
      const a = await pushArtifact(client, secure.host, 'tls/app', ['1.0.0']);
      const got = await client.getManifest(parseReference(`${secure.host}/tls/app:1.0.0`), signal());
      expect(got.digest).toBe(a.digest);
      expect(secure.url).toMatch(/^https:/);
    } finally {
      client.close();
    }
  });

  it('fails with a certificate error without the CA', async () => {
    const client = new RegistryClient({ credentials: { username: USER, password: PASSWORD } });
    const err = await caught(client.listTags(secure.host, 'tls/app', signal()));
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.message).toMatch(/certificate/);
    expect(err.code).toMatch(/CERT|SIGNATURE/);
    expect(err.message).not.toContain(PASSWORD);
  });
});

describe('RegistryClient with token auth', () => {
  it('gets bearer tokens per scope from the realm and caches them', async () => {
    const client = new RegistryClient({ insecure: true, credentials: { username: USER, password: PASSWORD } });
    token.resetCounts();
    const a = await pushArtifact(client, token.host, 'tok/app', ['1.0.0', '1.1.0']);
    expect(token.counts()['token']).toBe(1); // one pull,push token for all pushes
    for (let i = 0; i < 3; i++) {
      expect((await client.getManifest(parseReference(`${token.host}/tok/app:1.0.0`), signal())).digest).toBe(a.digest);
      expect([...(await client.listTags(token.host, 'tok/app', signal()))].sort()).toEqual(['1.0.0', '1.1.0']);
    }
    expect(token.counts()['token']).toBe(2); // plus one pull token
  });

  it('anonymous callers get pull-only tokens', async () => {
    const owner = new RegistryClient({ insecure: true, credentials: { username: USER, password: PASSWORD } });
    const a = await pushArtifact(owner, token.host, 'tok/public', ['1']);
    const anonymous = new RegistryClient({ insecure: true });
    expect((await anonymous.getManifest(parseReference(`${token.host}/tok/public:1`), signal())).digest).toBe(a.digest);
    const denied = await caught(anonymous.pushBlob(token.host, 'tok/public', enc('new'), signal()));
    expect(denied.status).toBe(401);
  });

  it('a wrong password fails at the token realm without leaking it', async () => {
    const client = new RegistryClient({ insecure: true, credentials: { username: USER, password: 'nope-Pa55' } });
    const err = await caught(client.listTags(token.host, 'tok/app', signal()));
    expect(err.status).toBe(401);
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toContain(token.tokenUrl ?? '-');
    expect(err.message).not.toContain('nope-Pa55');
  });

  it('exchanges an identity token (OAuth2 refresh grant) for an access token', async () => {
    const client = new RegistryClient({ insecure: true, credentials: { identityToken: IDENTITY } });
    token.resetCounts();
    expect([...(await client.listTags(token.host, 'tok/app', signal()))].sort()).toEqual(['1.0.0', '1.1.0']);
    expect(await client.pushBlob(token.host, 'tok/app', enc('via identity token'), signal())).toMatch(/^sha256:/);
    expect(token.counts()['token']).toBe(2);
    const bad = new RegistryClient({ insecure: true, credentials: { identityToken: 'stale-refresh-token' } });
    const err = await caught(bad.listTags(token.host, 'tok/app', signal()));
    expect(err.status).toBe(401);
    expect(err.message).not.toContain('stale-refresh-token');
  });

  it('sends a registry token as is', async () => {
    const tokenRes = await fetch(`${token.tokenUrl}?service=flux-ts-registry&scope=repository:tok/app:pull`, {
      headers: { Authorization: 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64') },
    });
    const { token: jwt } = (await tokenRes.json()) as { token: string };
    const client = new RegistryClient({ insecure: true, credentials: { registryToken: jwt } });
    token.resetCounts();
    expect([...(await client.listTags(token.host, 'tok/app', signal()))].sort()).toEqual(['1.0.0', '1.1.0']);
    expect(token.counts()['token']).toBeUndefined();
  });
});
