/**
 * The demo's image registry (issue 18): Debian's docker-registry on a loopback port, storing under the state
 * directory, with a few tags of a demo image, and the ImageRepository and ImagePolicy that scan it. The registry is
 * optional: without the `docker-registry` binary, the rest of the demo runs and the user gets one line saying how
 * to install it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { delimiter, join } from 'node:path';
import { RegistryClient, pushImage } from '@flux-ts/oci';
import type { KubeObject } from '@flux-ts/runtime';
import { freePort } from '@flux-ts/testbed';

/** The demo image's repository in the demo registry. */
export const DEMO_IMAGE_REPOSITORY = 'demo/podinfo';

/** The tags pushed at the first start (a restart keeps what the registry stores, pushes included). */
export const DEMO_IMAGE_TAGS: readonly string[] = ['6.6.3', '6.7.0', '6.7.1'];

/** What the user reads when the registry cannot start because Debian's docker-registry is not installed. */
export const DEMO_REGISTRY_MISSING =
  'demo registry skipped: docker-registry not found (sudo apt-get install docker-registry, or tools/testbed/install.sh)';

/** Options of {@link startDemoRegistry}. */
export interface DemoRegistryOptions {
  /** Storage and config directory (`<state>/registry`): tags survive a restart. */
  dir: string;
  /** Loopback port (0 picks a free one); the demo ImageRepository's image names it. */
  port: number;
  /** The registry binary (default `docker-registry`, looked up on PATH; missing: a notice, no registry). */
  bin?: string;
  signal?: AbortSignal;
}

/** The running demo registry. */
export interface DemoRegistry {
  /** `127.0.0.1:<port>`, as image references name it. */
  readonly host: string;
  /** `<host>/demo/podinfo`. */
  readonly image: string;
  close(): Promise<void>;
}

/** The result of {@link startDemoRegistry}: the registry, or the one line saying why there is none. */
export type DemoRegistryStart =
  { registry: DemoRegistry; notice?: undefined } | { registry?: undefined; notice: string };

/** The newest of {@link DEMO_IMAGE_TAGS}: the demo Deployment's tag when the registry runs. */
export const DEMO_IMAGE_LATEST_TAG = '6.7.1';

/** The git author of the demo ImageUpdateAutomation's commits. */
export const DEMO_AUTOMATION_AUTHOR = { name: 'fluxbot', email: 'fluxbot@users.noreply.github.com' } as const;

/**
 * The demo's ImageRepository and ImagePolicy (semver `>=6.0.0`) for the demo registry's image, and the
 * ImageUpdateAutomation `flux-system/demo` that commits the policy's newest tag to the demo repository's `main`
 * (the `$imagepolicy` marker of the demo Deployment, under `apps/demo`), as fluxbot.
 */
export function demoImageObjects(image: string): (KubeObject & Record<string, unknown>)[] {
  return [
    {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageRepository',
      metadata: { name: 'demo', namespace: 'flux-system' },
      // plain HTTP on loopback: the registry has no TLS in the demo
      spec: { image, interval: '1m' },
    },
    {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImagePolicy',
      metadata: { name: 'demo', namespace: 'flux-system' },
      spec: { imageRepositoryRef: { name: 'demo' }, policy: { semver: { range: '>=6.0.0' } } },
    },
    {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageUpdateAutomation',
      metadata: { name: 'demo', namespace: 'flux-system' },
      spec: {
        interval: '1m',
        sourceRef: { kind: 'GitRepository', name: 'demo' },
        git: {
          checkout: { ref: { branch: 'main' } },
          commit: {
            author: { ...DEMO_AUTOMATION_AUTHOR },
            messageTemplate:
              'Update demo image\n\n{{ range .Changed.Changes }}- {{ .OldValue }} -> {{ .NewValue }}\n{{ end }}',
          },
          push: { branch: 'main' },
        },
        update: { path: './apps/demo', strategy: 'Setters' },
      },
    },
  ];
}

/** The path of an executable: `name` itself when it holds a slash, else the first match on `path`. */
function findExecutable(name: string, path: string): string | undefined {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).map((d) => join(d || '.', name));
  return candidates.find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const r = request({ host: '127.0.0.1', port, path: '/v2/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    r.on('error', () => resolve(false));
    r.on('timeout', () => r.destroy());
    r.end();
  });
}

/** Pushes one tiny OCI image under each of `tags` to the demo image repository of the registry at `host`. */
export async function pushDemoImage(host: string, tags: readonly string[], signal: AbortSignal): Promise<void> {
  if (tags.length === 0) return;
  const client = new RegistryClient({ insecure: true });
  try {
    await pushImage(client, host, DEMO_IMAGE_REPOSITORY, tags, 'flux-ts demo image\n', signal);
  } finally {
    client.close();
  }
}

/** Pushes the demo tags the registry does not have yet. */
async function pushMissingTags(host: string, signal: AbortSignal): Promise<void> {
  const client = new RegistryClient({ insecure: true });
  let listed: string[];
  try {
    // a new registry answers 404 NAME_UNKNOWN: nothing is there yet (any other failure shows at the push)
    listed = await client.listTags(host, DEMO_IMAGE_REPOSITORY, signal).catch(() => [] as string[]);
  } finally {
    client.close();
  }
  const have = new Set(listed);
  await pushDemoImage(
    host,
    DEMO_IMAGE_TAGS.filter((t) => !have.has(t)),
    signal,
  );
}

/**
 * Starts Debian's docker-registry (`docker-registry serve`, its environment reduced to PATH: it reads every
 * `REGISTRY_*` variable as configuration) on 127.0.0.1, storing under `dir`, and pushes the demo tags it lacks.
 * Resolves with a notice instead when the binary is not installed; rejects when it is but does not serve.
 */
export async function startDemoRegistry(opts: DemoRegistryOptions): Promise<DemoRegistryStart> {
  const signal = opts.signal ?? AbortSignal.timeout(60_000);
  const path = process.env['PATH'] ?? '/usr/bin:/bin';
  const bin = findExecutable(opts.bin ?? 'docker-registry', path);
  if (!bin) return { notice: DEMO_REGISTRY_MISSING };
  const port = opts.port === 0 ? await freePort() : opts.port;
  mkdirSync(opts.dir, { recursive: true });
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(opts.dir, 'data') }, delete: { enabled: true } },
    http: { addr: `127.0.0.1:${port}` },
  };
  const configPath = join(opts.dir, 'config.yml');
  writeFileSync(configPath, JSON.stringify(config, null, 2)); // JSON is YAML
  // docker-registry is Go and knows nothing of this process: under util-linux's setpriv, the kernel stops it when
  // this process dies, however it dies (kill -9 of npm start included)
  const setpriv = findExecutable('setpriv', path);
  const [cmd, args] = setpriv
    ? [setpriv, ['--pdeathsig', 'TERM', '--', bin, 'serve', configPath]]
    : [bin, ['serve', configPath]];
  const child: ChildProcess = spawn(cmd, args, {
    env: { PATH: path },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // and should this process exit without closing it (an uncaught error), it goes too
  const orphanGuard = (): void => void child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4096);
  });
  let failed: Error | undefined;
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) => {
    child.once('error', (err: Error) => {
      process.off('exit', orphanGuard);
      failed = err;
      resolve();
    });
    child.once('exit', (code, sig) => {
      process.off('exit', orphanGuard);
      exited = `exited with ${code ?? sig}`;
      resolve();
    });
  });
  const close = async (): Promise<void> => {
    if (failed || exited) return;
    child.kill('SIGTERM');
    await gone;
  };
  try {
    for (;;) {
      if (failed) throw new Error(`cannot start docker-registry: ${failed.message}`, { cause: failed });
      if (exited) throw new Error(`docker-registry ${exited}: ${stderr.trim()}`);
      if (await answers(port)) break;
      if (signal.aborted) throw new Error(`docker-registry did not answer on 127.0.0.1:${port}: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const host = `127.0.0.1:${port}`;
    await pushMissingTags(host, signal);
    return { registry: { host, image: `${host}/${DEMO_IMAGE_REPOSITORY}`, close } };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * `npm start -- push-image TAG [--registry-port N]`: pushes a tiny image as `demo/podinfo:TAG` to the running demo
 * registry (default port 18082), as a user's CI would; the demo ImageUpdateAutomation then commits the tag to the
 * demo repository when it is the newest. Returns the exit code.
 */
export async function pushImageCommand(
  args: readonly string[],
  io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'registry-port': { type: 'string', default: '18082' } },
    allowPositionals: true,
  });
  const [tag, ...extra] = positionals;
  // the OCI distribution spec's tag grammar
  if (!tag || extra.length > 0 || !/^[\w][\w.-]{0,127}$/.test(tag)) {
    io.stderr.write('flux-ts: usage: npm start -- push-image TAG [--registry-port N] (TAG like 6.8.0)\n');
    return 2;
  }
  const host = `127.0.0.1:${values['registry-port']}`;
  try {
    await pushDemoImage(host, [tag], AbortSignal.timeout(30_000));
  } catch (err) {
    io.stderr.write(
      `flux-ts: cannot push ${host}/${DEMO_IMAGE_REPOSITORY}:${tag} (is npm start running?): ${(err as Error).message}\n`,
    );
    return 1;
  }
  io.stdout.write(`pushed ${host}/${DEMO_IMAGE_REPOSITORY}:${tag}\n`);
  return 0;
}
