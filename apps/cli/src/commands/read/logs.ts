import { Option, type Command } from 'commander';
import { KubeConfigTransport, parseGoDuration, type KubeClient, type KubeObject } from '@flux-ts/runtime';
import type { Cluster } from '../../cluster.ts';
import type { CommandContext } from '../../context.ts';
import { defaultNamespace } from '../../globals.ts';
import { timeoutSignal } from '../shared/objects.ts';

/** The label of Flux's Deployments (manifestgen's `PartOfLabelKey=PartOfLabelValue`). */
export const FLUX_PART_OF_SELECTOR = 'app.kubernetes.io/part-of=flux';
const controllerContainer = 'manager';

/** One JSON line of a Flux controller's log (flux's `ControllerLogEntry`). */
export interface ControllerLogEntry {
  ts?: unknown;
  level?: unknown;
  msg?: unknown;
  error?: unknown;
  logger?: unknown;
  'reconciler kind'?: unknown;
  controllerKind?: unknown;
  name?: unknown;
  namespace?: unknown;
}

/** The filters of `flux logs`. */
export interface LogFilter {
  readonly level?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace: string;
  readonly allNamespaces: boolean;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const eqFold = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * A log line as flux prints it (`{{.Timestamp}} {{.Level}} {{or .Kind .ControllerKind}}{{if .Name}}/{{.Name}}.{{.Namespace}}{{end}} - {{.Message}} {{.Error}}`),
 * or undefined when the filters drop it or it is not a JSON entry.
 */
export function formatLogLine(line: string, f: LogFilter): string | undefined {
  if (!line.startsWith('{')) return undefined;
  let l: ControllerLogEntry;
  try {
    l = JSON.parse(line) as ControllerLogEntry;
  } catch {
    return undefined;
  }
  const kind = str(l['reconciler kind']);
  const ckind = str(l.controllerKind);
  const level = str(l.level);
  if (f.level !== undefined && f.level !== level) return undefined;
  if (f.kind !== undefined && !eqFold(f.kind, kind) && !eqFold(f.kind, ckind)) return undefined;
  if (f.name !== undefined && !eqFold(f.name, str(l.name))) return undefined;
  if (!f.allNamespaces && !eqFold(f.namespace, str(l.namespace))) return undefined;
  const name = str(l.name);
  const ts = typeof l.ts === 'number' ? new Date(l.ts * (l.ts < 1e12 ? 1000 : 1)).toISOString() : str(l.ts);
  return `${ts} ${level} ${kind !== '' ? kind : ckind}${name !== '' ? `/${name}.${str(l.namespace)}` : ''} - ${str(l.msg)} ${str(l.error)}\n`;
}

interface PodLike extends KubeObject {
  spec?: { containers?: { name: string }[] };
  status?: { phase?: string };
}
interface DeploymentLike extends KubeObject {
  spec?: { template?: { metadata?: { labels?: Record<string, string> } } };
}

/** flux's `getPods`: one Pod per Flux Deployment, running ones first. */
async function fluxPods(client: KubeClient, ns: string, signal: AbortSignal): Promise<PodLike[]> {
  const deploys = await client.listAll<DeploymentLike>(
    { apiVersion: 'apps/v1', kind: 'Deployment' },
    { namespace: ns, labelSelector: FLUX_PART_OF_SELECTOR, signal },
  );
  const out: PodLike[] = [];
  for (const d of deploys.items) {
    const labels = d.spec?.template?.metadata?.labels ?? {};
    const selector = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const pods = await client.listAll<PodLike>(
      { apiVersion: 'v1', kind: 'Pod' },
      { namespace: ns, labelSelector: selector, signal },
    );
    const sorted = [...pods.items].sort(
      (a, b) => Number(b.status?.phase === 'Running') - Number(a.status?.phase === 'Running'),
    );
    if (sorted[0] !== undefined) out.push(sorted[0]);
  }
  if (out.length === 0) throw new Error(`no Flux pods found in namespace ${JSON.stringify(ns)}`);
  return out;
}

/** Streams one Pod's log (`pods/log`) through the filter to stdout. */
async function podLog(
  ctx: CommandContext,
  kubeConfig: Cluster['kubeConfig'],
  ns: string,
  pod: PodLike,
  opts: { follow: boolean; tailLines?: number; sinceSeconds?: number; sinceTime?: string },
  filter: LogFilter,
  signal: AbortSignal,
): Promise<void> {
  const containers = pod.spec?.containers ?? [];
  const container = containers.length > 1 ? controllerContainer : (containers[0]?.name ?? controllerContainer);
  const res = await new KubeConfigTransport(kubeConfig).stream({
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod.metadata.name)}/log`,
    query: {
      container,
      follow: opts.follow ? 'true' : undefined,
      tailLines: opts.tailLines,
      sinceSeconds: opts.sinceSeconds,
      sinceTime: opts.sinceTime,
    },
    signal,
  });
  try {
    if (res.status !== 200) {
      const body = await res.readBody();
      let message = body;
      try {
        message = (JSON.parse(body) as { message?: string }).message ?? body;
      } catch {
        // not a Status: the body is the message
      }
      throw new Error(message.trim());
    }
    for await (const line of res.lines()) {
      const out = formatLogLine(line, filter);
      if (out !== undefined) ctx.io.stdout.write(out);
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    res.close();
  }
}

/** Registers `logs`. */
export function registerLogs(program: Command, ctx: CommandContext): void {
  program
    .command('logs')
    .description('Display formatted logs for Flux components')
    .addOption(
      new Option('--level <level>', 'log level, available options are: (debug, info, error)').choices([
        'debug',
        'info',
        'error',
      ]),
    )
    .addOption(new Option('--kind <kind>', 'displays errors of a particular toolkit kind e.g GitRepository'))
    .addOption(new Option('--name <name>', 'specifies the name of the object logs to be displayed'))
    .addOption(new Option('-f, --follow', 'specifies if the logs should be streamed').default(false))
    .addOption(new Option('--tail <lines>', 'lines of recent log file to display').default('-1'))
    .addOption(
      new Option('--flux-namespace <namespace>', 'the namespace where the Flux components are running').default(
        defaultNamespace(ctx.io.env),
      ),
    )
    .addOption(new Option('-A, --all-namespaces', 'displays logs for objects across all namespaces').default(false))
    .addOption(
      new Option(
        '--since <duration>',
        'Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all logs. Only one of since-time / since may be used.',
      ),
    )
    .addOption(
      new Option(
        '--since-time <time>',
        'Only return logs after a specific date (RFC3339). Defaults to all logs. Only one of since-time / since may be used.',
      ),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  # Print the reconciliation logs of all Flux custom resources in your cluster\n  flux-ts logs --all-namespaces\n\n  # Filter logs by kind, name and namespace\n  flux-ts logs --kind=Kustomization --name=podinfo --namespace=default\n',
    )
    .argument('[args...]')
    .action(async (args: string[], _o: unknown, c: Command) => {
      if (args.length > 0) throw new Error('no argument required');
      const o = c.opts<{
        level?: string;
        kind?: string;
        name?: string;
        follow: boolean;
        tail: string;
        fluxNamespace: string;
        allNamespaces: boolean;
        since?: string;
        sinceTime?: string;
      }>();
      const globals = ctx.globals(c);
      const { client, kubeConfig } = ctx.connect(c);
      // A followed log runs until interrupted; otherwise flux's --timeout bounds the command.
      const signal = o.follow ? ctx.io.signal : timeoutSignal(ctx.io.signal, globals.timeoutMs);
      const tail = Number.parseInt(o.tail, 10);
      if (Number.isNaN(tail))
        throw new Error(
          `invalid argument "${o.tail}" for "--tail" flag: strconv.ParseInt: parsing "${o.tail}": invalid syntax`,
        );
      const sinceSeconds = o.since !== undefined ? Math.round(parseGoDuration(o.since) / 1000) : undefined;
      if (o.sinceTime !== undefined && o.sinceTime !== '' && sinceSeconds !== undefined && sinceSeconds !== 0) {
        throw new Error('at most one of `sinceTime` or `sinceDuration` may be specified');
      }
      if (o.sinceTime !== undefined && Number.isNaN(Date.parse(o.sinceTime))) {
        throw new Error(`${o.sinceTime} is not a valid (RFC3339) time`);
      }
      const filter: LogFilter = {
        namespace: globals.namespace,
        allNamespaces: o.allNamespaces,
        ...(o.level !== undefined ? { level: o.level } : {}),
        ...(o.kind !== undefined ? { kind: o.kind } : {}),
        ...(o.name !== undefined ? { name: o.name } : {}),
      };
      const pods = await fluxPods(client, o.fluxNamespace, signal);
      const opts = {
        follow: o.follow,
        ...(tail > -1 ? { tailLines: tail } : {}),
        ...(sinceSeconds !== undefined && sinceSeconds > 0 ? { sinceSeconds } : {}),
        ...(o.sinceTime !== undefined && o.sinceTime !== '' ? { sinceTime: o.sinceTime } : {}),
      };
      let failed = false;
      const one = async (pod: PodLike): Promise<void> => {
        try {
          await podLog(ctx, kubeConfig, o.fluxNamespace, pod, opts, filter, signal);
        } catch (err) {
          ctx.io.stderr.write(`failed getting logs: ${err instanceof Error ? err.message : String(err)}\n`);
          failed = true;
        }
      };
      if (o.follow) await Promise.all(pods.map(one));
      else for (const pod of pods) await one(pod);
      if (failed) throw new Error('failed to collect logs from all Flux pods');
    });
}
