// A source is untrusted input: a kustomization in it may not read a host file, /proc, or anything outside the
// artifact (remote bases: outside their own clone). Each hostile tree is built as the reconciler builds it and must
// fail with fluxcd/pkg's confinement error, with nothing of the host in the output; legitimate reaches inside the
// artifact (`../base`, links that stay inside, a remote overlay reaching `../base` in its clone) still build.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeRepo, startGitHttpServer, type GitHttpServer } from '@flux-ts/testbed';
import { isNotFound } from '@flux-ts/runtime';
import { capturedLogger } from '@flux-ts/testing';
import type { KustomizationSpec } from '@flux-ts/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifests } from './build.ts';
import { ready, startKsHarness, until } from './harness.spec-helper.ts';
import type { Ks, KsHarness } from './harness.spec-helper.ts';

const spec = (s: Partial<KustomizationSpec> = {}): KustomizationSpec =>
  ({ interval: '5m', prune: true, sourceRef: { kind: 'GitRepository', name: 'x' }, ...s }) as KustomizationSpec;
const CM = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;

let work: string;
let host: string; // a directory outside every artifact, holding a "credential"
const HOST_SECRET = `host-credential-${process.pid}-${Date.now()}`;
let git: GitHttpServer;

beforeAll(async () => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'ks-confinement-')));
  host = join(work, 'host');
  mkdirSync(host);
  writeFileSync(join(host, 'token'), HOST_SECRET);
  writeFileSync(join(host, 'kustomization.yaml'), 'resources: [cm.yaml]\n');
  writeFileSync(join(host, 'cm.yaml'), CM('from-host'));
  mkdirSync(join(work, 'git'));
  await makeRepo({
    root: join(work, 'git'),
    name: 'remote',
    commits: [
      {
        files: {
          'base/kustomization.yaml': 'resources: [cm.yaml]\n',
          'base/cm.yaml': CM('remote-base'),
          'overlay/kustomization.yaml': 'resources: [../base]\nnamePrefix: o-\n',
          'thief/kustomization.yaml': `secretGenerator:\n- name: stolen\n  files: [token=${join(host, 'token')}]\n`,
          'climber/kustomization.yaml':
            'configMapGenerator:\n- name: stolen\n  envs: [../../../../../../../../proc/self/environ]\n',
        },
      },
    ],
  });
  git = await startGitHttpServer({ root: join(work, 'git') });
}, 60_000);
afterAll(async () => {
  await git?.close();
  rmSync(work, { recursive: true, force: true });
});

let n = 0;
/** A fresh "extracted artifact" under `work`, a sibling of `host`. */
function artifact(files: Record<string, string>, links: Record<string, string> = {}): string {
  const root = join(work, `artifact-${n++}`);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  mkdirSync(root, { recursive: true });
  for (const [p, target] of Object.entries(links)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    symlinkSync(target, join(root, p));
  }
  return root;
}

const refused = (op: string, p: string, root: string): string =>
  `fs-security-constraint ${op} ${p}: path '${p}' is not in or below '${root}'`;

interface HostileCase {
  name: string;
  files: (h: string) => Record<string, string>;
  links?: (h: string) => Record<string, string>;
  path?: string;
  /** The whole Ready message, `<root>` standing for the artifact root and `<host>` for the host directory. */
  message: string;
}

const cases: HostileCase[] = [
  {
    name: 'a secretGenerator file by absolute path (a controller credential)',
    files: (h) => ({ 'kustomization.yaml': `secretGenerator:\n- name: t\n  files: [token=${h}/token]\n` }),
    message: `kustomize build failed: loading KV pairs: file sources: [token=<host>/token]: ${refused('stat', '<host>/token', '<root>')}`,
  },
  {
    name: 'a configMapGenerator env file in /proc',
    files: () => ({ 'kustomization.yaml': 'configMapGenerator:\n- name: t\n  envs: [/proc/self/environ]\n' }),
    message: `kustomize build failed: loading KV pairs: env source files: [/proc/self/environ]: ${refused('stat', '/proc/self/environ', '<root>')}`,
  },
  {
    name: 'a generator file reached with ..',
    files: () => ({ 'kustomization.yaml': 'secretGenerator:\n- name: t\n  files: [../host/token]\n' }),
    message: `kustomize build failed: loading KV pairs: file sources: [../host/token]: ${refused('stat', '<host>/token', '<root>')}`,
  },
  {
    name: '/etc/passwd through many ..',
    files: () => ({
      'app/kustomization.yaml': 'configMapGenerator:\n- name: t\n  files: [../../../../../../../../../etc/passwd]\n',
    }),
    path: './app',
    message: `kustomize build failed: loading KV pairs: file sources: [../../../../../../../../../etc/passwd]: ${refused('stat', '/etc/passwd', '<root>')}`,
  },
  {
    name: 'a resource directory outside the artifact',
    files: () => ({ 'kustomization.yaml': 'resources: [../host]\n' }),
    message: `kustomize build failed: accumulating resources: accumulation err='accumulating resources from '../host': ${refused('stat', '<host>', '<root>')}': must build at directory: not a valid directory: ${refused('stat', '<host>', '<root>')}`,
  },
  {
    name: 'a patch file by absolute path',
    files: (h) => ({
      'kustomization.yaml': `resources: [cm.yaml]\npatches:\n- path: ${h}/cm.yaml\n`,
      'cm.yaml': CM('a'),
    }),
    message: `kustomize build failed: trouble configuring builtin PatchTransformer with config: \`\npath: <host>/cm.yaml\n\`: failed to get the patch file from path(<host>/cm.yaml): ${refused('stat', '<host>/cm.yaml', '<root>')}`,
  },
  {
    name: 'an openapi schema by absolute path',
    files: (h) => ({ 'kustomization.yaml': `openapi:\n  path: ${h}/token\n` }),
    message: `kustomize build failed: ${refused('stat', '<host>/token', '<root>')}`,
  },
  {
    name: 'crds by absolute path',
    files: (h) => ({ 'kustomization.yaml': `crds: [${h}/token]\n` }),
    message: `kustomize build failed: loading CRDs [<host>/token]: ${refused('stat', '<host>/token', '<root>')}`,
  },
  {
    name: 'a component outside the artifact',
    files: () => ({ 'kustomization.yaml': 'components: [../host]\n' }),
    message: `kustomize build failed: accumulating components: loader.New "must build at directory: not a valid directory: ${refused('stat', '<host>', '<root>')}"`,
  },
  {
    name: 'a symlink to a host file, used as a generator file',
    files: () => ({ 'kustomization.yaml': 'secretGenerator:\n- name: t\n  files: [token=link]\n' }),
    links: (h) => ({ link: `${h}/token` }),
    message: `kustomize build failed: loading KV pairs: file sources: [token=link]: ${refused('stat', '<root>/link', '<root>')}`,
  },
  {
    name: 'a symlinked directory leading outside, used as a resource',
    files: () => ({ 'kustomization.yaml': 'resources: [dir/cm.yaml]\n' }),
    links: (h) => ({ dir: h }),
    message: `kustomize build failed: accumulating resources: accumulation err='accumulating resources from 'dir/cm.yaml': ${refused('stat', '<root>/dir/cm.yaml', '<root>')}': must build at directory: not a valid directory: ${refused('stat', '<root>/dir/cm.yaml', '<root>')}`,
  },
  {
    name: 'spec.path through a symlink leading outside',
    files: () => ({ 'kustomization.yaml': 'resources: []\n' }),
    links: (h) => ({ deploy: h }),
    path: './deploy',
    message: 'kustomization path not found: stat ./deploy: no such file or directory',
  },
  {
    name: 'a remote base on the local file system (file://)',
    files: (h) => ({ 'kustomization.yaml': `resources: [file://${h}/repo.git//app?ref=main]\n` }),
    message:
      "kustomize build failed: accumulating resources: failed to clone file://<host>/repo.git//app?ref=main: unsupported url scheme 'file': must be http, https or ssh",
  },
  {
    name: 'a git:: remote base on the local file system',
    files: (h) => ({ 'kustomization.yaml': `resources: ["git::file://${h}/repo?ref=main"]\n` }),
    message:
      "kustomize build failed: accumulating resources: failed to clone git::file://<host>/repo?ref=main: unsupported url scheme 'file': must be http, https or ssh",
  },
];

describe('a kustomization cannot read outside its artifact', () => {
  it.each(cases)('refuses $name', async (c) => {
    const root = artifact(c.files(host), c.links?.(host) ?? {});
    let error: Error | undefined;
    let output: unknown;
    try {
      output = await buildManifests({ root, spec: spec(c.path ? { path: c.path } : {}), strictSubstitutions: true });
    } catch (err) {
      error = err as Error;
    }
    expect(output).toBeUndefined();
    expect(error?.message.replaceAll(root, '<root>').replaceAll(host, '<host>')).toBe(c.message);
    expect(error?.message).not.toContain(HOST_SECRET);
  });

  it('refuses what a remote base reads outside its own clone: a host file, or /proc through ..', async () => {
    for (const [dir, reached] of [
      ['thief', `${host}/token`],
      ['climber', '/proc/self/environ'],
    ] as const) {
      const root = artifact({ 'kustomization.yaml': `resources: [${git.url}/remote.git//${dir}?ref=main]\n` });
      const err = await buildManifests({ root, spec: spec(), strictSubstitutions: true }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      const msg = (err as Error).message;
      expect(msg).toMatch(
        new RegExp(
          `^kustomize build failed: accumulating resources: loading KV pairs: (file|env) sources?( files)?: \\[[^\\]]+\\]: fs-security-constraint stat ${reached}: path '${reached}' is not in or below '${tmpdir()}/kustomize-remote-[^']+'$`,
        ),
      );
      expect(msg).not.toContain(HOST_SECRET);
    }
  });

  it('builds what stays inside: ../ within the artifact, links inside it, and a remote overlay reaching ../base', async () => {
    const root = artifact(
      {
        'base/kustomization.yaml': 'resources: [cm.yaml]\n',
        'base/cm.yaml': CM('base'),
        'apps/prod/kustomization.yaml': [
          'resources: [../../base, linked.yaml]',
          'configMapGenerator:',
          '- name: settings',
          '  files: [../../files/settings.txt]',
          '- name: literal',
          '  literals: [k=v]',
          '',
        ].join('\n'),
        'files/settings.txt': 'inside',
        'shared/other.yaml': CM('linked'),
      },
      { 'apps/prod/linked.yaml': '../../shared/other.yaml' },
    );
    const objs = await buildManifests({ root, spec: spec({ path: './apps/prod' }), strictSubstitutions: true });
    expect(objs.map((o) => o.metadata.name)).toEqual([
      'base',
      'linked',
      expect.stringMatching(/^literal-/),
      expect.stringMatching(/^settings-/),
    ]);
    expect((objs[3] as { data?: unknown } | undefined)?.data).toEqual({ 'settings.txt': 'inside' });

    const withRemote = artifact({ 'kustomization.yaml': `resources: [${git.url}/remote.git//overlay?ref=main]\n` });
    const remote = await buildManifests({ root: withRemote, spec: spec(), strictSubstitutions: true });
    expect(remote.map((o) => o.metadata.name)).toEqual(['o-remote-base']);
  });
});

describe('the reconciler refuses a hostile source: Ready=False, nothing applied, nothing of the host anywhere', () => {
  let h: KsHarness;
  let hostDir: string; // directly in the temp dir, a sibling of the reconciler's artifact directories
  let logs: string[] = [];
  const CREDENTIAL = `controller-credential-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    hostDir = realpathSync(mkdtempSync(join(tmpdir(), 'ks-host-')));
    writeFileSync(join(hostDir, 'token'), CREDENTIAL);
    const captured = capturedLogger();
    logs = captured.lines;
    h = await startKsHarness({ namespaces: ['tenant'], logger: captured.logger });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    rmSync(hostDir, { recursive: true, force: true });
  }, 60_000);

  const hostileCases = (): [string, string, RegExp][] => {
    const rel = `../${hostDir.split('/').pop() ?? ''}/token`;
    const refusal = (shown: string, reached: string) =>
      new RegExp(
        `^kustomize build failed: loading KV pairs: (file|env) sources?( files)?: \\[${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]: fs-security-constraint stat ${reached}: path '${reached}' is not in or below '${realpathSync(tmpdir())}/kustomization-flux-system-[a-z]+-[^/']+'$`,
      );
    return [
      [
        'abs',
        `secretGenerator:\n- name: stolen\n  namespace: tenant\n  files: [token=${hostDir}/token]\n`,
        refusal(`token=${hostDir}/token`, `${hostDir}/token`),
      ],
      [
        'dotdot',
        `secretGenerator:\n- name: stolen\n  namespace: tenant\n  files: [token=${rel}]\n`,
        refusal(`token=${rel}`, `${hostDir}/token`),
      ],
      [
        'proc',
        'configMapGenerator:\n- name: stolen\n  namespace: tenant\n  envs: [/proc/self/environ]\n',
        refusal('/proc/self/environ', '/proc/self/environ'),
      ],
    ];
  };

  it('for a host credential by absolute path, by .., and /proc/self/environ', async () => {
    for (const [name, kustomization, message] of hostileCases()) {
      await h.publish(name, { 'kustomization.yaml': kustomization, 'cm.yaml': CM(`${name}-innocent`) });
      await h.createKs(name, { path: './', targetNamespace: 'tenant' });
      const failed = await until<Ks>(`${name} BuildFailed`, async () => {
        const ks = await h.getKs(name);
        return ready(ks)?.reason === 'BuildFailed' ? ks : undefined;
      });
      expect(ready(failed)?.status).toBe('False');
      expect(ready(failed)?.message).toMatch(message);
      // nothing was applied: not the generated object, not the innocent one beside it
      for (const [kind, obj] of [
        ['Secret', 'stolen'],
        ['ConfigMap', `${name}-innocent`],
      ] as const) {
        const err = await h.client
          .get({ apiVersion: 'v1', kind }, { namespace: 'tenant', name: obj })
          .catch((e: unknown) => e);
        expect(isNotFound(err)).toBe(true);
      }
      expect(failed.status?.inventory).toBeUndefined();
    }
    const secrets = await h.client.list({ apiVersion: 'v1', kind: 'Secret' }, { namespace: 'tenant' });
    expect(secrets.items).toEqual([]);
    for (const where of [JSON.stringify(h.events), logs.join(''), JSON.stringify(await h.getKs('abs'))])
      expect(where).not.toContain(CREDENTIAL);
    expect(h.writes.filter((w) => w.includes('/namespaces/tenant/'))).toEqual([]);
  }, 60_000);
});
