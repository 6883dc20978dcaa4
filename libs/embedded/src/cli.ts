import { parseArgs } from 'node:util';
import { join, relative, resolve } from 'node:path';
import { DEMO_HELM_RELEASE, startEmbedded, EmbeddedStartError } from './embedded.ts';
import type { Embedded } from './embedded.ts';
import { allReady, fluxRows, renderTable } from './status.ts';
import { validateFleet } from './validate.ts';
import { pushImageCommand } from './demo-images.ts';

/** Where the CLI writes, and whether stdout is a terminal (the table then redraws in place). */
export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
}

/** Inputs of {@link main}: only tools/start.ts reads argv, env and signals and passes them here. */
export interface CliContext {
  argv: readonly string[];
  /** Workspace root (holds deploy/crds and apps/). */
  workspace: string;
  cwd: string;
  io: CliIO;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
}

const USAGE = `Usage:
  npm start [-- --state-dir DIR] [--api-port N] [--git-port N] [--chart-port N] [--storage-port N] [--registry-port N]
            [--no-deploy] [--bundle]
      flux-ts on an embedded cluster with the demo repository (state in DIR, default .flux-ts): deploy/install
      applied and its Deployments run as processes; --no-deploy starts the controllers with an admin kubeconfig;
      --bundle runs each controller from its esbuild bundle (built into DIR/bundles when the sources changed).
  npm start -- validate --repo PATH --path clusters/NAME [--timeout 5m] [--output table|json]
      reconciles a local fleet repository on a throwaway cluster; exits 0 only if everything is Ready.
  npm start -- push-image TAG [--registry-port N]
      pushes a tiny image as demo/podinfo:TAG to the running demo registry (the demo automation commits it).
`;

const port = (v: string | undefined, flag: string, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new EmbeddedStartError(`${flag}: not a port: ${v}`);
  return n;
};

const shown = (cwd: string, p: string): string => {
  const r = relative(cwd, p);
  return r !== '' && !r.startsWith('..') ? r : p;
};

function banner(e: Embedded, cwd: string): string {
  const kc = shown(cwd, e.layout.kubeconfig);
  const lines = [
    `flux-ts is running on Node ${process.version}: API server ${e.server.url}, git server ${e.git.url}` +
      (e.charts ? `, chart repository ${e.charts.url}` : '') +
      (e.images?.registry ? `, image registry ${e.images.registry.host}` : ''),
    `  kubeconfig: ${kc}`,
    `  try:        kubectl --kubeconfig ${kc} get gitrepositories,kustomizations,helmrepositories,helmreleases -A`,
    `              kubectl --kubeconfig ${kc} -n default get deployments,services,configmaps`,
    `              npx flux-ts --kubeconfig ${kc} get all -A`,
  ];
  if (e.demo) {
    const work = shown(cwd, e.demo.workTree);
    const hr = DEMO_HELM_RELEASE;
    lines.push(
      // pull first: the demo ImageUpdateAutomation (fluxbot) pushes to the same main
      `  push:       cd ${work} && git pull -q --rebase && sed -i 's/count: 2/count: 3/' apps/demo/overlays/dev/kustomization.yaml && git commit -qam 'scale demo' && git push -q`,
      `  helm:       kubectl --kubeconfig ${kc} -n ${hr.namespace} patch helmrelease ${hr.name} --type merge -p '{"spec":{"values":{"replicaCount":2}}}'`,
      `              helm --kubeconfig ${kc} -n ${hr.namespace} history ${hr.name}`,
    );
  }
  if (e.images?.registry)
    lines.push(
      `  images:     kubectl --kubeconfig ${kc} -n flux-system get imagerepositories,imagepolicies,imageupdateautomations (image ${e.images.registry.image})`,
      `              npm start -- push-image 6.8.0 --registry-port ${e.images.registry.host.split(':')[1]}   # fluxbot commits the new tag to the demo repository's main`,
    );
  else if (e.images?.notice) lines.push(`  ${e.images.notice}`);
  lines.push(
    e.runtime
      ? `  deploy/:    kubectl --kubeconfig ${kc} -n flux-system get deployments (pods: ${shown(cwd, join(e.layout.root, 'pods'))}, artifacts served at ${e.storageUrl})`
      : `  artifacts:  ${shown(cwd, e.layout.storage)} (served at ${e.storageUrl})`,
    e.runtime
      ? `  logs:       ${shown(cwd, e.layout.logs)}/<pod>.log`
      : `  logs:       ${e.controllers.map((c) => shown(cwd, c.logFile)).join(', ')}`,
    'Ctrl-C stops everything; `npm start` again resumes from the saved state.',
    '',
  );
  return lines.join('\n');
}

async function runStart(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'state-dir': { type: 'string' },
      'api-port': { type: 'string' },
      'git-port': { type: 'string' },
      'chart-port': { type: 'string' },
      'storage-port': { type: 'string' },
      'registry-port': { type: 'string' },
      deploy: { type: 'boolean', default: true },
      bundle: { type: 'boolean', default: false },
    },
    allowNegative: true,
  });
  let lastSnapshotError = '';
  const e = await startEmbedded({
    workspace: ctx.workspace,
    onSnapshotError: (err) => {
      // Said once per distinct cause, not at every retry.
      if (err.message === lastSnapshotError) return;
      lastSnapshotError = err.message;
      ctx.io.stderr.write(`flux-ts: cannot save the cluster state: ${err.message}\n`);
    },
    stateDir: resolve(ctx.cwd, values['state-dir'] ?? '.flux-ts'),
    apiPort: port(values['api-port'], '--api-port', 0),
    gitPort: port(values['git-port'], '--git-port', 18080),
    chartPort: port(values['chart-port'], '--chart-port', 18081),
    storagePort: port(values['storage-port'], '--storage-port', 19090),
    registryPort: port(values['registry-port'], '--registry-port', 18082),
    deploy: values.deploy,
    bundle: values.bundle,
    onRuntimeError: (err) =>
      ctx.io.stderr.write(`flux-ts: process runtime: ${err.message}${err.cause ? `: ${String(err.cause)}` : ''}\n`),
  });
  const out = ctx.io.stdout;
  out.write(banner(e, ctx.cwd));
  for (const c of e.controllers) {
    // a notice only; `exited` never rejects, and stopping awaits it
    void c.exited.then((code) => {
      if (!ctx.signal.aborted) out.write(`${c.name} exited (${code}); see ${shown(ctx.cwd, c.logFile)}\n`);
    });
  }
  const started = Date.now();
  let lastTable = '';
  let drawnLines = 0;
  let announced = false;
  while (!ctx.signal.aborted) {
    const rows = await fluxRows(e.client, ctx.signal).catch(() => undefined);
    if (rows) {
      const table = renderTable(rows);
      if (table !== lastTable) {
        if (out.isTTY && drawnLines > 0) out.write(`\x1b[${drawnLines}A\x1b[J`);
        out.write(`${table}\n`);
        drawnLines = table.split('\n').length;
        lastTable = table;
      }
      if (!announced && allReady(rows)) {
        announced = true;
        out.write(`all Ready after ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
        drawnLines = 0; // keep the line; the next table prints below it
      }
      if (announced && !allReady(rows)) announced = false;
    }
    await new Promise<void>((r) => {
      const t = setTimeout(r, 1000);
      ctx.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
    });
  }
  out.write('stopping: controllers, then the snapshot, then the servers\n');
  await e.stop();
  out.write(`stopped; state kept in ${shown(ctx.cwd, e.layout.root)}\n`);
  return 0;
}

/** `npm start [verb] …`: runs flux-ts embedded, or validates a fleet repository. Returns the exit code. */
export async function main(ctx: CliContext): Promise<number> {
  const [verb, ...rest] = ctx.argv;
  try {
    if (verb === '--help' || verb === '-h' || verb === 'help') {
      ctx.io.stdout.write(USAGE);
      return 0;
    }
    if (verb === 'validate') return await validateFleet(ctx, rest);
    if (verb === 'push-image') return await pushImageCommand(rest, ctx.io);
    if (verb === undefined || verb === 'start') return await runStart(ctx, rest);
    if (verb.startsWith('--')) return await runStart(ctx, ctx.argv);
    ctx.io.stderr.write(`flux-ts: unknown command ${JSON.stringify(verb)}\n${USAGE}`);
    return 2;
  } catch (err) {
    const e = err as Error & { code?: string };
    // One clear line for the user; the stack only for an unexpected failure.
    if (
      e instanceof EmbeddedStartError ||
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      e.code?.startsWith('ERR_PARSE_ARGS')
    )
      ctx.io.stderr.write(`flux-ts: ${e.message}\n`);
    else ctx.io.stderr.write(`flux-ts: ${e.message}\n${e.stack ?? ''}\n`);
    return 1;
  }
}
