import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startRegistry, tlsCertificate } from '@flux-ts/testbed';
import type { HttpProxy, Registry, TlsMaterial } from '@flux-ts/testbed';
import { RegistryClient, RegistryError } from './index.ts';

// The proxy option against docker-registry through the testbed's forward proxy (basic proxy auth).
let root: string;
let plain: Registry;
let secure: Registry;
let proxy: HttpProxy;
let tls: TlsMaterial;
const PROXY_AUTH = { username: 'p', password: 'proxy-Pa55' };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-oci-proxy-'));
  tls = await tlsCertificate();
  [plain, secure, proxy] = await Promise.all([
    startRegistry({ dir: join(root, 'plain') }),
    startRegistry({ dir: join(root, 'tls'), tls }),
    startHttpProxy({ credentials: PROXY_AUTH }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close(), proxy?.close()]);
  rmSync(root, { recursive: true, force: true });
});

describe('RegistryClient proxy option', () => {
  it('forwards plain HTTP and tunnels HTTPS (with the CA) through the proxy', async () => {
    const viaProxy = { address: proxy.url, ...PROXY_AUTH };
    const http = new RegistryClient({ insecure: true, proxy: viaProxy });
    const https = new RegistryClient({ tls: { ca: Buffer.from(tls.ca) }, proxy: viaProxy });
    try {
      const before = proxy.counts();
      await http.pushBlob(plain.host, 'p/app', new TextEncoder().encode('x'), AbortSignal.timeout(10_000));
      expect(
        await http.listTags(plain.host, 'nothing/here', AbortSignal.timeout(10_000)).catch((e: unknown) => e),
      ).toBeInstanceOf(RegistryError);
      expect(proxy.counts().forwarded).toBeGreaterThan(before.forwarded);
      await expect(https.listTags(secure.host, 'nothing/here', AbortSignal.timeout(10_000))).rejects.toMatchObject({
        status: 404,
      });
      expect(proxy.counts().tunnels).toBeGreaterThan(before.tunnels);
    } finally {
      http.close();
      https.close();
    }
  });

  it('reports a proxy that refuses the credentials and a bad proxy address', async () => {
    const client = new RegistryClient({ insecure: true, proxy: { address: proxy.url } });
    try {
      await expect(client.listTags(plain.host, 'x/y', AbortSignal.timeout(10_000))).rejects.toThrow(
        /unexpected status code 407 Proxy Authentication Required/,
      );
    } finally {
      client.close();
    }
    expect(() => new RegistryClient({ proxy: { address: 'socks5://127.0.0.1:1' } })).toThrow(
      "unsupported proxy scheme 'socks5': must be http or https",
    );
  });
});
