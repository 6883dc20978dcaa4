import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { BUNDLE_ENTRY } from './bundle.ts';

const execFileAsync = promisify(execFile);

/** Where buildah and podman keep images: their defaults, or a private store (`--root`, `--runroot`, `--storage-driver`). */
export interface Storage {
  root?: string;
  runroot?: string;
  driver?: string;
}

/** The global flags of buildah and podman that select {@link Storage}. */
export function storageFlags(s: Storage): string[] {
  return [
    ...(s.root ? ['--root', s.root] : []),
    ...(s.runroot ? ['--runroot', s.runroot] : []),
    ...(s.driver ? ['--storage-driver', s.driver] : []),
  ];
}

/** Runs buildah with the storage flags; resolves with its trimmed stdout, rejects with its stderr. */
export async function buildah(storage: Storage, args: readonly string[], signal?: AbortSignal): Promise<string> {
  try {
    const { stdout } = await execFileAsync('buildah', [...storageFlags(storage), ...args], {
      signal,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`buildah ${args[0] ?? ''} failed${stderr ? `: ${stderr}` : ''}`, { cause: err });
  }
}

/**
 * The image's user: `nobody`/`nogroup`, 65534, as in Flux's images and our Deployments' securityContext. glibc
 * looks users up in /etc/passwd even for a numeric uid (`os.userInfo()`), so the entry must exist.
 */
const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';
const NSSWITCH = 'passwd: files\ngroup: files\nhosts: files dns\n';

/** Where the base puts Node, and what the apps' entrypoints run. */
export const NODE_PATH = '/usr/local/bin/node';
/** Where an app image holds its bundle. */
export const APP_DIR = '/app';

/** The shared libraries `ldd` lists for a binary, as the paths the dynamic loader looks for. */
export async function sharedLibraries(binary: string, signal?: AbortSignal): Promise<string[]> {
  const { stdout } = await execFileAsync('ldd', [binary], { signal });
  const libs: string[] = [];
  for (const line of stdout.split('\n')) {
    // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)` or `/lib64/ld-linux-x86-64.so.2 (0x…)`; the vDSO has no path.
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  if (libs.length === 0) throw new Error(`ldd listed no shared library for ${binary}`);
  return libs;
}

/** Options of {@link buildBaseImage}. */
export interface BaseImageOptions {
  storage: Storage;
  /** The Node 24 binary (the pinned `node` devDependency's). */
  node: string;
  /** The CA bundle to copy to /etc/ssl/certs/ca-certificates.crt. */
  caCertificates?: string;
  /** Repository of the base image; the tag is Node's version and a digest of the inputs. */
  repository?: string;
  signal?: AbortSignal;
}

/** The base image: its reference and whether this call built it. */
export interface BaseImage {
  ref: string;
  built: boolean;
}

const tarFlags = ['--sort=name', '--mtime=@0', '--numeric-owner', '--format=gnu'];

/**
 * Builds (once) the FROM-scratch base every app image starts from: Node's binary, the shared libraries `ldd` lists at
 * the paths the loader looks for, /etc/passwd and /etc/group with 65534, nsswitch.conf, the CA bundle, /tmp (1777)
 * and /data (65534), user 65534. Its tag carries a digest of those inputs, so an existing base is reused: the seven
 * app images share this one layer, in the store and in a registry.
 */
export async function buildBaseImage(opts: BaseImageOptions): Promise<BaseImage> {
  const node = realpathSync(opts.node);
  const libs = await sharedLibraries(node, opts.signal);
  const ca = opts.caCertificates ?? '/etc/ssl/certs/ca-certificates.crt';
  const hash = createHash('sha256');
  for (const f of [node, ...libs, ca]) hash.update(f).update(readFileSync(f));
  hash.update(PASSWD + GROUP + NSSWITCH);
  const { stdout: version } = await execFileAsync(node, ['--version'], { signal: opts.signal });
  const ref = `${opts.repository ?? 'localhost/flux-ts/node-base'}:${version.trim().replace(/^v/, '')}-${hash.digest('hex').slice(0, 12)}`;
  if (await imageExists(opts.storage, ref, opts.signal)) return { ref, built: false };

  const stage = mkdtempSync(join(tmpdir(), 'flux-ts-base-'));
  try {
    const root = join(stage, 'rootfs');
    const put = (path: string, from: string, mode: number): void => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      copyFileSync(from, join(root, path));
      chmodSync(join(root, path), mode);
    };
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text, { mode: 0o644 });
    };
    put(NODE_PATH, node, 0o755);
    for (const lib of libs) put(lib, realpathSync(lib), 0o755);
    put('/etc/ssl/certs/ca-certificates.crt', ca, 0o644);
    write('/etc/passwd', PASSWD);
    write('/etc/group', GROUP);
    write('/etc/nsswitch.conf', NSSWITCH);
    mkdirSync(join(root, 'tmp'));
    chmodSync(join(root, 'tmp'), 0o1777);
    // One reproducible tar (sorted, mtime 0, root-owned; /data owned by 65534), added as the base's only layer.
    const tar = join(stage, 'rootfs.tar');
    await execFileAsync('tar', ['-C', root, ...tarFlags, '--owner=0', '--group=0', '-cf', tar, '.'], {
      signal: opts.signal,
    });
    mkdirSync(join(stage, 'data', 'data'), { recursive: true });
    chmodSync(join(stage, 'data', 'data'), 0o755);
    await execFileAsync(
      'tar',
      ['-C', join(stage, 'data'), ...tarFlags, '--owner=65534', '--group=65534', '-rf', tar, 'data'],
      { signal: opts.signal },
    );

    const ctr = await buildah(opts.storage, ['from', '--quiet', 'scratch'], opts.signal);
    try {
      await buildah(opts.storage, ['add', ctr, tar, '/'], opts.signal);
      await buildah(
        opts.storage,
        [
          'config',
          '--user',
          '65534:65534',
          '--env',
          'PATH=/usr/local/bin',
          '--workingdir',
          '/',
          ...baseLabels(version.trim()),
          ctr,
        ],
        opts.signal,
      );
      await buildah(opts.storage, ['commit', '--quiet', '--format', 'oci', ctr, ref], opts.signal);
    } finally {
      await buildah(opts.storage, ['rm', ctr]).catch(() => undefined);
    }
    return { ref, built: true };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function baseLabels(nodeVersion: string): string[] {
  return ['--label', `org.opencontainers.image.description=Node.js ${nodeVersion} on scratch, user 65534`];
}

/** True when the store holds `ref`. */
export async function imageExists(storage: Storage, ref: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await buildah(storage, ['inspect', '--type', 'image', '--format', '{{.FromImageID}}', ref], signal);
    return true;
  } catch {
    return false;
  }
}

/** Options of {@link buildAppImage}. */
export interface AppImageOptions {
  storage: Storage;
  /** The base's reference ({@link buildBaseImage}). */
  base: string;
  app: string;
  /** The app's bundle directory (`main.mjs` and its licence notices). */
  bundleDir: string;
  /** The image reference to commit, e.g. `ghcr.io/flux-ts/source-controller:v0.1.0`. */
  ref: string;
  version: string;
  /** Node flags of the entrypoint, before the bundle. */
  nodeFlags: readonly string[];
  /** Environment of the image. */
  env: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/**
 * Builds one app image on the base: the bundle in /app, the entrypoint `node <flags> /app/main.mjs` (a container's
 * args are then Flux's flags, as the Deployments pass them), user 65534. Resolves with the image id.
 */
export async function buildAppImage(opts: AppImageOptions): Promise<string> {
  const s = opts.storage;
  const ctr = await buildah(s, ['from', '--quiet', '--pull-never', opts.base], opts.signal);
  try {
    await buildah(s, ['copy', '--quiet', '--chown', '0:0', ctr, opts.bundleDir, APP_DIR], opts.signal);
    const entrypoint = JSON.stringify([NODE_PATH, ...opts.nodeFlags, `${APP_DIR}/${BUNDLE_ENTRY}`]);
    await buildah(
      s,
      [
        'config',
        '--entrypoint',
        entrypoint,
        '--cmd',
        '',
        '--user',
        '65534:65534',
        ...Object.entries(opts.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
        '--label',
        `org.opencontainers.image.title=${opts.app}`,
        '--label',
        `org.opencontainers.image.version=${opts.version}`,
        '--label',
        'org.opencontainers.image.licenses=Apache-2.0',
        '--label',
        `org.opencontainers.image.description=flux-ts ${opts.app}`,
        ctr,
      ],
      opts.signal,
    );
    return await buildah(s, ['commit', '--quiet', '--format', 'oci', ctr, opts.ref], opts.signal);
  } finally {
    await buildah(s, ['rm', ctr]).catch(() => undefined);
  }
}

/** Pushes `ref` to `dest` (a `docker://` reference); `tlsVerify: false` for a plain-HTTP registry. */
export async function pushImage(
  storage: Storage,
  ref: string,
  dest: string,
  opts: { tlsVerify?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  await buildah(storage, ['push', '--quiet', `--tls-verify=${String(opts.tlsVerify ?? true)}`, ref, dest], opts.signal);
}

/** An image's configuration and layers, as the store holds them. */
export interface ImageInfo {
  config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; Labels?: Record<string, string> };
  /** Layer digests and (uncompressed) sizes, base first. */
  layers: { digest: string; size: number }[];
}

/** Reads an image's OCI configuration and layer list from the store. */
export async function inspectImage(storage: Storage, ref: string, signal?: AbortSignal): Promise<ImageInfo> {
  const out = JSON.parse(await buildah(storage, ['inspect', '--type', 'image', ref], signal)) as {
    Manifest: string;
    OCIv1: { config?: ImageInfo['config'] };
  };
  const manifest = JSON.parse(out.Manifest) as { layers: { digest: string; size: number }[] };
  return { config: out.OCIv1.config ?? {}, layers: manifest.layers.map(({ digest, size }) => ({ digest, size })) };
}
