import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { NoKindMatchError, isNotFound, parseGoDuration } from '@flux-ts/runtime';
import type { KubeClient } from '@flux-ts/runtime';
import { freePort, run } from '@flux-ts/testbed';
import type { CliContext } from './cli.ts';
import { EmbeddedStartError, RECONCILED_KINDS, createMissing, startEmbedded } from './embedded.ts';
import { FLUX_KINDS, renderTable, rowOf } from './status.ts';
import type { StatusRow } from './status.ts';

/** kustomize-controller's owner labels on what it applies (@flux-ts/api's KustomizeOwnerLabels). */
const OWNER_NAME = 'kustomize.toolkit.fluxcd.io/name';
const OWNER_NAMESPACE = 'kustomize.toolkit.fluxcd.io/namespace';

/**
 * A status row as validate reports it: `appliedBy` names the Kustomization (`<namespace>/<name>`) that applied the
 * object; `blockedBy` lists, for a Kustomization still in progress, the objects it applied that failed (so its
 * health check can only time out).
 */
export interface FleetRow extends StatusRow {
  appliedBy?: string;
  blockedBy?: string[];
}

/** Ready=False reasons that mean "still working on it", not a verdict. */
const IN_PROGRESS = new Set(['Progressing', 'ProgressingWithRetry', 'ReconciliationInProgress', '']);

/** A row has a verdict: Ready, or failed for a reason other than progress or a dependency. */
const settled = (r: StatusRow): boolean =>
  r.ready === 'True' || (r.ready === 'False' && !IN_PROGRESS.has(r.reason) && r.reason !== 'DependencyNotReady');

/** Failed for good as validate sees it: a failure that is not progress, or a Kustomization blocked by one. */
const failedForGood = (r: FleetRow): boolean =>
  (r.ready === 'False' && !IN_PROGRESS.has(r.reason)) || (r.blockedBy?.length ?? 0) > 0;

const rowKey = (r: StatusRow): string => `${r.kind}/${r.namespace}/${r.name}`;

/**
 * A Kustomization still in progress (`wait: true` or `healthChecks`) whose applied objects include one that failed
 * cannot become Ready: its health check waits until `spec.timeout` (Flux's default fail-fast stops only at a Stalled
 * object) and then fails with HealthCheckFailed. Such a row keeps its conditions but gets `blockedBy` and a message
 * naming the failed objects, so the run can end now instead of at the timeout; nested Kustomizations blocked in turn
 * are found too.
 */
export function markBlocked(rows: readonly FleetRow[]): FleetRow[] {
  const out = rows.map((r) => ({ ...r }));
  for (let changed = true; changed;) {
    changed = false;
    for (const ks of out) {
      if (ks.kind !== 'Kustomization' || ks.ready === 'True' || !IN_PROGRESS.has(ks.reason) || ks.blockedBy) continue;
      const owner = `${ks.namespace}/${ks.name}`;
      const blockers = out.filter((r) => r.appliedBy === owner && failedForGood(r));
      if (blockers.length === 0) continue;
      ks.blockedBy = blockers.map(rowKey);
      const why = blockers.map((b) => `${rowKey(b)} (${b.blockedBy ? 'blocked' : b.reason})`).join(', ');
      ks.message = `${ks.message ? `${ks.message}; ` : ''}blocked: it waits on ${why}, which will not become Ready; its health check ends with HealthCheckFailed at spec.timeout`;
      changed = true;
    }
  }
  return out;
}

/**
 * Lists every Flux object of {@link FLUX_KINDS} as a {@link FleetRow} (status.ts's `fluxRows`, plus the owner
 * labels `markBlocked` needs).
 */
export async function fleetRows(client: KubeClient, signal?: AbortSignal): Promise<FleetRow[]> {
  const rows: FleetRow[] = [];
  for (const gvk of FLUX_KINDS) {
    try {
      const list = await client.list(gvk, signal ? { signal } : {});
      for (const o of list.items) {
        const labels = o.metadata.labels ?? {};
        const name = labels[OWNER_NAME];
        const ns = labels[OWNER_NAMESPACE];
        rows.push({ ...rowOf(o), ...(name && ns ? { appliedBy: `${ns}/${name}` } : {}) });
      }
    } catch (err) {
      if (isNotFound(err) || err instanceof NoKindMatchError) continue;
      throw err;
    }
  }
  return rows;
}

/**
 * The run is over when every object has a verdict, except those waiting on a dependency while nothing else moves
 * (a dependency that failed will not become Ready) and Kustomizations {@link markBlocked} found blocked, and the set
 * of objects was the same on three polls in a row.
 */
export function isSettled(history: readonly FleetRow[][]): boolean {
  if (history.length < 3) return false;
  const last = history.slice(-3);
  const key = (rows: readonly StatusRow[]): string =>
    JSON.stringify(rows.map((r) => [r.kind, r.namespace, r.name, r.ready, r.reason, r.revision]));
  if (new Set(last.map(key)).size !== 1) return false;
  const rows = last[2]!;
  return (
    rows.length > 0 &&
    rows.every((r) => settled(r) || r.reason === 'DependencyNotReady' || (r.blockedBy?.length ?? 0) > 0)
  );
}

/**
 * Objects of a kind no running controller reconciles (HelmRelease until helm-controller exists, for example) would
 * stay without status forever; they are reported failed at once, naming why, so the run neither waits nor passes.
 */
export function markUnreconciled<R extends StatusRow>(
  rows: readonly R[],
  kinds: ReadonlySet<string> = RECONCILED_KINDS,
): R[] {
  return rows.map((r) =>
    kinds.has(r.kind) || r.reason !== ''
      ? r
      : {
          ...r,
          ready: 'False',
          reason: 'ControllerNotAvailable',
          message: `flux-ts does not reconcile ${r.kind} yet; this object was not validated`,
        },
  );
}

function hasManifests(dir: string): boolean {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git') continue;
    if (e.isDirectory() && hasManifests(join(dir, e.name))) return true;
    if (e.isFile() && /\.ya?ml$/.test(e.name)) return true;
  }
  return false;
}

const normUrl = (u: string): string =>
  u
    .trim()
    .replace(/^ssh:\/\/git@([^/:]+)(:\d+)?\//, 'https://$1/')
    .replace(/^git@([^:]+):/, 'https://$1/')
    .replace(/\.git$/, '')
    .replace(/\/$/, '')
    .toLowerCase();

/**
 * Points the fleet's own GitRepositories at the local copy: those whose URL is one of the repository's remotes,
 * and `flux-system/flux-system` (what `flux bootstrap` writes). Their secretRef is dropped (the local server needs
 * none) and their ref becomes the copy's `main`. Returns the files changed.
 */
export function pinSelfReferences(dir: string, remotes: readonly string[], localUrl: string): string[] {
  const own = new Set(remotes.map(normUrl));
  const changed: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) {
        const text = readFileSync(p, 'utf8');
        if (!text.includes('GitRepository')) continue;
        const docs = parseAllDocuments(text);
        let touched = false;
        for (const doc of docs) {
          const o = doc.toJS() as Record<string, unknown> | null;
          if (!o || o['kind'] !== 'GitRepository') continue;
          const md = (o['metadata'] ?? {}) as { name?: string; namespace?: string };
          const spec = (o['spec'] ?? {}) as { url?: string };
          const self =
            (md.name === 'flux-system' && md.namespace === 'flux-system') || own.has(normUrl(spec.url ?? ''));
          if (!self) continue;
          doc.setIn(['spec', 'url'], localUrl);
          doc.deleteIn(['spec', 'secretRef']);
          doc.setIn(['spec', 'ref'], doc.createNode({ branch: 'main' }));
          touched = true;
        }
        if (touched) {
          writeFileSync(
            p,
            docs
              .map((d, i) => {
                const t = d.toString();
                return i === 0 || t.startsWith('---') ? t : `---\n${t}`;
              })
              .join(''),
          );
          changed.push(p);
        }
      }
    }
  };
  walk(dir);
  return changed;
}

const GIT_ENV = {
  PATH: process.env['PATH'],
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  HOME: '/nonexistent',
};

async function remotesOf(repo: string): Promise<string[]> {
  if (!existsSync(join(repo, '.git'))) return [];
  const out = await run('git', ['-C', repo, 'remote', '-v'], { env: GIT_ENV }).catch(() => '');
  return [
    ...new Set(
      out
        .split('\n')
        .map((l) => l.split(/\s+/)[1] ?? '')
        .filter(Boolean),
    ),
  ];
}

/** `validate --repo PATH --path clusters/NAME [--timeout 5m] [--output table|json]`. */
export async function validateFleet(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      repo: { type: 'string' },
      path: { type: 'string' },
      timeout: { type: 'string', default: '5m' },
      output: { type: 'string', default: 'table' },
    },
  });
  if (!values.repo || !values.path) throw new EmbeddedStartError('validate needs --repo PATH and --path DIR');
  if (values.output !== 'table' && values.output !== 'json')
    throw new EmbeddedStartError(`--output must be table or json, not ${values.output}`);
  let timeoutMs: number;
  try {
    timeoutMs = parseGoDuration(values.timeout);
  } catch (err) {
    throw new EmbeddedStartError(`--timeout: ${(err as Error).message}`, { cause: err });
  }
  const repo = resolve(ctx.cwd, values.repo);
  if (!existsSync(repo) || !statSync(repo).isDirectory())
    throw new EmbeddedStartError(`repository ${repo} does not exist`);
  const relPath = values.path.replace(/^\.\//, '');
  const target = join(repo, relPath);
  if (!existsSync(target) || !statSync(target).isDirectory() || !hasManifests(target))
    throw new EmbeddedStartError(`path ${values.path} in ${repo} holds no manifests`);

  const tmp = mkdtempSync(join(tmpdir(), 'flux-ts-validate-'));
  try {
    const [gitPort, storagePort] = [await freePort(), await freePort()];
    const e = await startEmbedded({
      workspace: ctx.workspace,
      stateDir: tmp,
      gitPort,
      storagePort,
      demo: false,
      persist: false,
      // A dependent is retried every 2 s instead of Flux's 30 s: the verdict comes sooner, nothing else changes.
      controllerArgs: { 'kustomize-controller': ['--requeue-dependency', '2s'] },
    });
    try {
      // The fleet as it is on disk, uncommitted changes included, committed to a throwaway repository.
      const localUrl = `${e.git.url}/fleet.git`;
      const work = join(tmp, 'fleet');
      cpSync(repo, work, { recursive: true, filter: (src) => !src.split('/').includes('.git') });
      pinSelfReferences(work, await remotesOf(repo), localUrl);
      const git = (...a: string[]): Promise<string> => run('git', ['-C', work, ...a], { env: GIT_ENV });
      await git('init', '-q', '-b', 'main');
      await git('add', '-A');
      await git('-c', 'user.name=flux-ts', '-c', 'user.email=validate@flux-ts.local', 'commit', '-qm', 'validate');
      await run('git', ['clone', '-q', '--bare', work, join(e.layout.git, 'fleet.git')], { env: GIT_ENV });

      await createMissing(e.client, [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } },
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: { name: 'flux-system', namespace: 'flux-system' },
          spec: { url: localUrl, ref: { branch: 'main' }, interval: '10m' },
        },
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'flux-system', namespace: 'flux-system' },
          spec: {
            interval: '10m',
            retryInterval: '5s',
            path: `./${relPath}`,
            prune: true,
            sourceRef: { kind: 'GitRepository', name: 'flux-system' },
          },
        },
      ]);
      const deadline = Date.now() + timeoutMs;
      const history: FleetRow[][] = [];
      let rows: FleetRow[] = [];
      while (Date.now() < deadline && !ctx.signal.aborted) {
        rows = await fleetRows(e.client, ctx.signal).then(
          (r) => markBlocked(markUnreconciled(r)),
          () => rows,
        );
        history.push(rows);
        if (isSettled(history)) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const ok = rows.length > 0 && rows.every((r) => r.ready === 'True');
      const timedOut = !ok && !isSettled(history);
      if (values.output === 'json') {
        ctx.io.stdout.write(`${JSON.stringify({ ready: ok, timedOut, objects: rows }, null, 2)}\n`);
      } else {
        ctx.io.stdout.write(`${renderTable(rows, 100)}\n`);
        // The table clips messages; a failure's whole message follows it, one line per object.
        for (const r of rows.filter((x) => x.ready !== 'True'))
          ctx.io.stdout.write(`${r.kind}/${r.namespace}/${r.name}: ${r.message.replace(/\s+/g, ' ').trim()}\n`);
        const failed = rows.filter((r) => r.ready !== 'True').length;
        ctx.io.stdout.write(
          ok
            ? `all ${rows.length} Ready\n`
            : `${failed} of ${rows.length} not Ready${timedOut ? ` (timed out after ${values.timeout})` : ''}\n`,
        );
      }
      return ok ? 0 : 1;
    } finally {
      await e.stop();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
