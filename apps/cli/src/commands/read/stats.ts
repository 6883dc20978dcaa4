import { Option, type Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { fluxKindByKind, type FluxKind } from '../shared/kinds.ts';
import { conditionsOf, gvkOf, timeoutSignal, type FluxObject } from '../shared/objects.ts';
import { formatTable } from '../shared/table.ts';

/** The kinds `flux stats` reports, in its order. */
const statsKinds = [
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
  'Kustomization',
  'HelmRelease',
  'Alert',
  'Provider',
  'Receiver',
  'ImageUpdateAutomation',
  'ImagePolicy',
  'ImageRepository',
]
  .map(fluxKindByKind)
  .filter((k): k is FluxKind => k !== undefined);

/** flux's `formatSize`: `-` for zero, bytes, then KiB, MiB… with one decimal. */
export function formatSize(b: number): string {
  if (b === 0) return '-';
  const unit = 1024;
  if (b < unit) return `${b} B`;
  let div = unit;
  let exp = 0;
  for (let n = Math.floor(b / unit); n >= unit; n = Math.floor(n / unit)) {
    div *= unit;
    exp++;
  }
  return `${(b / div).toFixed(1)} ${'KMGTPE'[exp] ?? '?'}iB`;
}

/** One row of `flux stats`: kind, running (not suspended), failing (Ready=False), suspended, artifact storage. */
export function statsRow(kind: string, items: readonly FluxObject[]): string[] {
  let suspended = 0;
  let failing = 0;
  let size = 0;
  for (const item of items) {
    if (item.spec?.suspend === true) suspended++;
    for (const c of conditionsOf(item)) if (c.type === 'Ready' && c.status === 'False') failing++;
    const s = (item.status?.['artifact'] as { size?: unknown } | undefined)?.size;
    if (typeof s === 'number') size += s;
  }
  return [kind, String(items.length - suspended), String(failing), String(suspended), formatSize(size)];
}

/** Registers `stats`. */
export function registerStats(program: Command, ctx: CommandContext): void {
  program
    .command('stats')
    .description('Stats of Flux reconciles')
    .addOption(
      new Option('-A, --all-namespaces', 'list the statistics for objects across all namespaces').default(false),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  # Print the stats report for a namespace\n  flux-ts stats --namespace default\n\n  #  Print the stats report for the whole cluster\n  flux-ts stats -A\n',
    )
    .action(async (o: { allNamespaces: boolean }, c: Command) => {
      const globals = ctx.globals(c);
      const { client } = ctx.connect(c);
      const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
      const rows: string[][] = [];
      for (const kind of statsKinds) {
        // As flux: a kind the cluster does not serve (or refuses to list) counts as none.
        const items = await client
          .listAll<FluxObject>(gvkOf(kind), { ...(o.allNamespaces ? {} : { namespace: globals.namespace }), signal })
          .then((l) => l.items)
          .catch(() => []);
        rows.push(statsRow(kind.kind, items));
      }
      ctx.io.stdout.write(formatTable(['Reconcilers', 'Running', 'Failing', 'Suspended', 'Storage'], rows));
    });
}
