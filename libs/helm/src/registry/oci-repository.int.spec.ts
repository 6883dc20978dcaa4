// Helm over OCI against the real helm 3.18 and docker-registry: what `helm pull` picks and downloads, what `helm push` stores.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmEnv, installHelm, run, startRegistry } from '@flux-ts/testbed';
import type { Registry } from '@flux-ts/testbed';
import { parseReference, RegistryClient } from '@flux-ts/oci';
import { OciChartRepository, pushChart } from './index.ts';

const USER = 'flux';
const PASSWORD = 's3cret-Pa55word';
const VERSIONS = [
  '0.9.0',
  '1.0.0',
  '1.2.0',
  '1.2.5',
  '1.10.0',
  '2.0.0-rc.1',
  '2.0.0',
  '2.1.0+build.7',
  '3.0.0-alpha.1',
];
const CONSTRAINTS = [
  '',
  '*',
  '1.x',
  '~1.2',
  '^1.0.0',
  '>=1.0.0 <1.10.0',
  '>=2.0.0-0',
  '<1.0.0 || >=3.0.0-0',
  '2.1.x',
  '1.2.0',
  '2.0.0-rc.1',
  '2.1.0+build.7',
];
const signal = (): AbortSignal => AbortSignal.timeout(30_000);

let dir: string;
let helm: string;
let env: NodeJS.ProcessEnv;
let anon: Registry;
let basic: Registry;
let n = 0;

const tgzPath = (v: string): string => join(dir, 'pkgs', `demo-${v}.tgz`);
const h = (args: string[]): Promise<string> => run(helm, args, { env, cwd: dir });

/** `helm pull` into a fresh directory; returns the chart version from the file name and the bytes. */
async function helmPull(url: string, constraint: string): Promise<{ version: string; bytes: Buffer }> {
  const out = join(dir, `pull-${n++}`);
  mkdirSync(out);
  await h(['pull', url, ...(constraint ? ['--version', constraint] : []), '--plain-http', '-d', out]);
  const [file] = readdirSync(out);
  if (!file) throw new Error('helm pull wrote nothing');
  return { version: file.replace(/^demo-/, '').replace(/\.tgz$/, ''), bytes: readFileSync(join(out, file)) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flux-ts-helm-oci-'));
  env = helmEnv(dir);
  [helm, anon, basic] = await Promise.all([
    installHelm(),
    startRegistry({ dir: join(dir, 'reg-anon') }),
    startRegistry({ dir: join(dir, 'reg-basic'), auth: { username: USER, password: PASSWORD } }),
  ]);
  await h(['create', 'demo']);
  appendFileSync(
    join(dir, 'demo', 'Chart.yaml'),
    [
      'home: https://example.com/demo',
      'sources:',
      '  - https://example.com/src/demo',
      'maintainers:',
      '  - name: Jane',
      '    email: jane@example.com',
      '  - name: Bob',
      'annotations:',
      '  category: Testing',
      '  org.opencontainers.image.title: not-the-title',
      '',
    ].join('\n'),
  );
  for (const v of VERSIONS) await h(['package', 'demo', '--version', v, '-d', join(dir, 'pkgs')]);
  await h(['registry', 'login', basic.host, '-u', USER, '-p', PASSWORD, '--plain-http']);
  // helm 3.18.0 fails to push versions with build metadata ("Error: not found", helm/helm#30881): pushChart stores those.
  const owner = new RegistryClient({ insecure: true, credentials: { username: USER, password: PASSWORD } });
  for (const v of VERSIONS) {
    if (v.includes('+')) {
      await pushChart(owner, `oci://${anon.host}/charts`, readFileSync(tgzPath(v)), signal());
      await pushChart(owner, `oci://${basic.host}/private`, readFileSync(tgzPath(v)), signal());
      continue;
    }
    await h(['push', tgzPath(v), `oci://${anon.host}/charts`, '--plain-http']);
    await h(['push', tgzPath(v), `oci://${basic.host}/private`, '--plain-http']);
  }
}, 300_000);

afterAll(async () => {
  await Promise.all([anon, basic].filter(Boolean).map((r) => r.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('OciChartRepository against charts pushed by helm', () => {
  it.each(CONSTRAINTS)(
    'picks what helm pull picks for %j and downloads the same bytes',
    async (c) => {
      const client = new RegistryClient({ insecure: true });
      const repo = new OciChartRepository({ url: `oci://${anon.host}/charts`, client });
      const cv = await repo.getChartVersion('demo', c, signal());
      const pulled = await helmPull(`oci://${anon.host}/charts/demo`, c);
      expect(cv.version).toBe(pulled.version);
      expect(cv.name).toBe('demo');
      expect(cv.urls).toEqual([`oci://${anon.host}/charts/demo:${pulled.version}`]);
      const bytes = await repo.downloadChart(cv, { signal: signal(), maxSize: 10 * 1024 * 1024 });
      expect(Buffer.from(bytes).equals(pulled.bytes)).toBe(true);
      expect(Buffer.from(bytes).equals(readFileSync(tgzPath(pulled.version)))).toBe(true);
    },
    60_000,
  );

  it('fails like helm when nothing matches, with Flux messages', async () => {
    const repo = new OciChartRepository({
      url: `oci://${anon.host}/charts`,
      client: new RegistryClient({ insecure: true }),
    });
    await expect(repo.getChartVersion('demo', '>=5.0.0', signal())).rejects.toThrow(
      'could not locate a version matching provided version string >=5.0.0',
    );
    await expect(helmPull(`oci://${anon.host}/charts/demo`, '>=5.0.0')).rejects.toThrow(/5\.0\.0/);
    await expect(repo.getChartVersion('missing', '1.x', signal())).rejects.toThrow(
      new RegExp(
        `^could not get tags for "missing": could not fetch tags for "oci://${anon.host}/charts/missing": .*NAME_UNKNOWN`,
      ),
    );
    await expect(
      repo.downloadChart(
        { name: 'demo', version: '9.9.9', urls: [`oci://${anon.host}/charts/demo:9.9.9`] },
        { signal: signal(), maxSize: 1 << 20 },
      ),
    ).rejects.toThrow(new RegExp(`^failed to get 'oci://${anon.host}/charts/demo:9.9.9': .*MANIFEST_UNKNOWN`));
    await expect(
      repo.downloadChart(
        { name: 'demo', version: '1.0.0', urls: [`oci://${anon.host}/charts/demo:1.0.0`] },
        { signal: signal(), maxSize: 100 },
      ),
    ).rejects.toThrow(/exceeds the limit of 100 bytes/);
    await expect(
      repo.downloadChart({ name: 'demo', version: '1.0.0', urls: [] }, { signal: signal(), maxSize: 100 }),
    ).rejects.toThrow("chart 'demo' has no downloadable URLs");
  }, 60_000);

  it('refuses an artifact that is not a Helm chart', async () => {
    const client = new RegistryClient({ insecure: true });
    const layer = new TextEncoder().encode('not a chart');
    const cfg = new TextEncoder().encode('{}');
    const ld = await client.pushBlob(anon.host, 'charts/other', layer, signal());
    const cd = await client.pushBlob(anon.host, 'charts/other', cfg, signal());
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.cncf.flux.config.v1+json', digest: cd, size: cfg.byteLength },
      layers: [{ mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', digest: ld, size: layer.byteLength }],
    };
    await client.pushManifest(
      parseReference(`${anon.host}/charts/other:1.0.0`),
      new TextEncoder().encode(JSON.stringify(manifest)),
      manifest.mediaType,
      signal(),
    );
    const repo = new OciChartRepository({ url: `oci://${anon.host}/charts`, client });
    await expect(
      repo.downloadChart(
        { name: 'other', version: '1.0.0', urls: [`oci://${anon.host}/charts/other:1.0.0`] },
        { signal: signal(), maxSize: 1 << 20 },
      ),
    ).rejects.toThrow('could not load config with mediatype application/vnd.cncf.helm.config.v1+json');
  }, 60_000);

  it('works with basic auth (credentials for the host only)', async () => {
    const client = new RegistryClient({
      insecure: true,
      credentials: async (host) => (host === basic.host ? { username: USER, password: PASSWORD } : undefined),
    });
    const repo = new OciChartRepository({ url: `oci://${basic.host}/private`, client });
    const cv = await repo.getChartVersion('demo', '~1.2', signal());
    expect(cv.version).toBe('1.2.5');
    const bytes = await repo.downloadChart(cv, { signal: signal(), maxSize: 10 * 1024 * 1024 });
    expect(Buffer.from(bytes).equals(readFileSync(tgzPath('1.2.5')))).toBe(true);
    const denied = new OciChartRepository({
      url: `oci://${basic.host}/private`,
      client: new RegistryClient({ insecure: true, credentials: { username: USER, password: 'bad-Pa55' } }),
    });
    const err = await denied.getChartVersion('demo', '~1.2', signal()).then(
      () => new Error('expected a rejection'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/^could not get tags for "demo": .*UNAUTHORIZED/);
    expect(err.message).not.toContain('bad-Pa55');
  }, 60_000);
});

describe('pushChart', () => {
  it.each(['1.2.0', '2.1.0+build.7'])(
    'stores %s as helm push does; helm pull and helm template read it back',
    async (v) => {
      const client = new RegistryClient({ insecure: true });
      const tgz = readFileSync(tgzPath(v));
      const pushed = await pushChart(client, `oci://${anon.host}/ours`, tgz, signal());
      expect(pushed.ref).toBe(`oci://${anon.host}/ours/demo:${v}`);
      const tag = v.replace('+', '_');
      const mine = await client.getManifest(parseReference(`${anon.host}/ours/demo:${tag}`), signal());
      expect(mine.digest).toBe(pushed.digest);
      expect(mine.manifest.annotations?.['org.opencontainers.image.created']).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
      expect(mine.manifest.annotations?.['org.opencontainers.image.version']).toBe(v);
      if (!v.includes('+')) await compareWithHelmPush(client, mine, `charts/demo:${tag}`);

      const pulled = await helmPull(`oci://${anon.host}/ours/demo`, v);
      expect(pulled.version).toBe(v);
      expect(pulled.bytes.equals(tgz)).toBe(true);
      const fromOci = await h(['template', 'rel', `oci://${anon.host}/ours/demo`, '--version', v, '--plain-http']);
      const fromFile = await h(['template', 'rel', tgzPath(v)]);
      expect(fromOci).toBe(fromFile);
      expect(fromOci).toContain('kind: Deployment');
    },
    60_000,
  );
});

type Pulled = Awaited<ReturnType<RegistryClient['getManifest']>>;

/** Our manifest equals what helm push stored at `repoTag` but for the creation time; the config blobs are byte-identical. */
async function compareWithHelmPush(client: RegistryClient, mine: Pulled, repoTag: string): Promise<void> {
  const helms = await client.getManifest(parseReference(`${anon.host}/${repoTag}`), signal());
  const created = (m: Pulled): string =>
    Buffer.from(m.bytes)
      .toString()
      .replace(/("org\.opencontainers\.image\.created":)"[^"]*"/, '$1"<created>"');
  expect(created(mine)).toBe(created(helms));
  expect(created(mine)).toContain('"org.opencontainers.image.authors":"Jane (jane@example.com), Bob"');
  const repo = repoTag.slice(0, repoTag.indexOf(':'));
  const mineConfig = await client.fetchBlob(anon.host, 'ours/demo', mine.manifest.config?.digest ?? '', {
    signal: signal(),
    maxSize: 1 << 20,
  });
  const helmConfig = await client.fetchBlob(anon.host, repo, helms.manifest.config?.digest ?? '', {
    signal: signal(),
    maxSize: 1 << 20,
  });
  expect(Buffer.from(mineConfig).toString()).toBe(Buffer.from(helmConfig).toString());
}
