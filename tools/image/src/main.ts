import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTROLLER_ENV_DEFAULTS, CONTROLLER_NODE_FLAGS } from '@flux-ts/embedded';
import { APPS, bundleApp } from './bundle.ts';
import type { AppName } from './bundle.ts';
import { DEFAULT_REGISTRY, DEFAULT_TAG, gotkComponents } from './components.ts';
import { buildAppImage, buildBaseImage, inspectImage, pushImage } from './image.ts';
import type { Storage } from './image.ts';

const USAGE = `Usage: flux-ts-image <command> [flags]

Commands:
  bundle [app...]       bundle each app's bin with its production dependencies into <out>/<app>/main.mjs
  build [app...]        bundle, then build the OCI image <registry>/<app>:<tag> on the shared Node base
  components            print gotk-components.yaml: deploy/install with the images set

Apps (default: all): ${APPS.join(', ')}

Flags:
  --registry string          image repository prefix (default "${DEFAULT_REGISTRY}")
  --tag string               image tag (default "${DEFAULT_TAG}")
  --out string               bundle directory (default "dist/images")
  --push                     build: push each image to <registry>/<app>:<tag>
  --tls-verify               build --push: verify the registry's TLS (default true; false for a plain-HTTP registry)
  --root, --runroot string   build: buildah's storage directories (default: buildah's)
  --storage-driver string    build: buildah's storage driver (default: buildah's)
  --components-extra string  components: optional components, comma-separated (source-watcher)
`;

/** The streams and values `main` uses (injected, for tests). */
export interface MainIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/**
 * `flux-ts-image`: bundles the controllers, builds and pushes their images, prints gotk-components.yaml.
 * Resolves with the exit code.
 */
export async function main(
  argv: readonly string[],
  workspace: string,
  io: MainIO,
  signal?: AbortSignal,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        registry: { type: 'string', default: DEFAULT_REGISTRY },
        tag: { type: 'string', default: DEFAULT_TAG },
        out: { type: 'string', default: join(workspace, 'dist', 'images') },
        push: { type: 'boolean', default: false },
        'tls-verify': { type: 'string', default: 'true' },
        root: { type: 'string' },
        runroot: { type: 'string' },
        'storage-driver': { type: 'string' },
        'components-extra': { type: 'string', default: '' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (v.help || command === undefined) {
    (v.help ? io.stdout : io.stderr).write(USAGE);
    return v.help ? 0 : 2;
  }
  const unknown = rest.filter((a) => !(APPS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    io.stderr.write(`unknown app(s): ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  const apps = (rest.length > 0 ? rest : [...APPS]) as AppName[];
  const out = resolve(v.out);
  try {
    switch (command) {
      case 'components': {
        const extra = v['components-extra'].split(',').filter((s) => s !== '');
        io.stdout.write(await gotkComponents({ workspace, registry: v.registry, tag: v.tag, extra }));
        return 0;
      }
      case 'bundle':
        for (const app of apps) {
          const dir = join(out, app);
          rmSync(dir, { recursive: true, force: true });
          const r = await bundleApp(workspace, app, dir);
          io.stderr.write(`bundled ${app}: ${dir}/main.mjs (${mib(r.bytes)}, ${r.inputs} files)\n`);
        }
        return 0;
      case 'build': {
        const storage: Storage = { root: v.root, runroot: v.runroot, driver: v['storage-driver'] };
        const node = join(workspace, 'node_modules', 'node', 'bin', 'node');
        const started = performance.now();
        const base = await buildBaseImage({ storage, node, signal });
        io.stderr.write(`base ${base.ref} (${base.built ? 'built' : 'reused'}, ${secs(started)})\n`);
        const registry = v.registry.replace(/\/+$/, '');
        for (const app of apps) {
          const t0 = performance.now();
          const dir = join(out, app);
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir, { recursive: true });
          await bundleApp(workspace, app, dir);
          const ref = `${registry}/${app}:${v.tag}`;
          await buildAppImage({
            storage,
            base: base.ref,
            app,
            bundleDir: dir,
            ref,
            version: v.tag,
            nodeFlags: CONTROLLER_NODE_FLAGS,
            env: CONTROLLER_ENV_DEFAULTS,
            signal,
          });
          if (v.push)
            await pushImage(storage, ref, `docker://${ref}`, { tlsVerify: v['tls-verify'] !== 'false', signal });
          const { layers } = await inspectImage(storage, ref, signal);
          const size = layers.reduce((n, l) => n + l.size, 0);
          const appLayer = layers.at(-1)?.size ?? 0;
          io.stdout.write(
            `${ref}\t${mib(size)} (app layer ${mib(appLayer)})\t${secs(t0)}${v.push ? '\tpushed' : ''}\n`,
          );
        }
        return 0;
      }
      default:
        io.stderr.write(`unknown command '${command}'\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    io.stderr.write(`flux-ts-image ${command}: ${(err as Error).message}\n`);
    return 1;
  }
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const secs = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)}s`;
