import { Option, type Command } from 'commander';
import { isNoMatch, type KubeClient, type ListOptions } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { fluxKinds, fluxKindsUnder, type FluxKind } from '../shared/kinds.ts';
import { gvkOf, timeoutSignal, type FluxObject } from '../shared/objects.ts';
import { formatTable } from '../shared/table.ts';
import {
  columnsFor,
  headersFor,
  nameColumns,
  parseStatusSelector,
  statusSelectorMatches,
  type StatusSelector,
} from './get-columns.ts';

/** The flags of `flux get` (persistent on `get`, so every subcommand takes them). */
interface GetFlags {
  readonly allNamespaces: boolean;
  readonly noHeader: boolean;
  readonly watch: boolean;
  readonly statusSelector?: StatusSelector;
  readonly labelSelector?: string;
}

function getFlags(cmd: Command): GetFlags {
  const o = cmd.optsWithGlobals<Record<string, unknown>>();
  const status =
    typeof o['statusSelector'] === 'string' && o['statusSelector'] !== '' ? o['statusSelector'] : undefined;
  const label = typeof o['labelSelector'] === 'string' && o['labelSelector'] !== '' ? o['labelSelector'] : undefined;
  return {
    allNamespaces: o['allNamespaces'] === true,
    noHeader: o['header'] === false,
    watch: o['watch'] === true,
    ...(status !== undefined ? { statusSelector: parseStatusSelector(status) } : {}),
    ...(label !== undefined ? { labelSelector: label } : {}),
  };
}

/** flux's `namespaceNameOrAny`. */
const namespaceNameOrAny = (all: boolean, ns: string): string => (all ? 'any' : JSON.stringify(ns));

/** The rows of a list under the status selector. */
function rowsOf(kind: FluxKind, items: readonly FluxObject[], flags: GetFlags, includeKind: boolean): string[][] {
  const cols = columnsFor(kind);
  return items
    .filter(
      (o) => flags.statusSelector === undefined || statusSelectorMatches(cols.conditions(o), flags.statusSelector),
    )
    .map((o) => [...nameColumns(o, flags.allNamespaces, includeKind), ...cols.row(o)]);
}

interface GetRun {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name?: string;
  readonly flags: GetFlags;
  readonly signal: AbortSignal;
}

function listOptions(run: GetRun): ListOptions {
  return {
    ...(run.flags.allNamespaces ? {} : { namespace: run.namespace }),
    ...(run.name !== undefined ? { fieldSelector: `metadata.name=${run.name}` } : {}),
    ...(run.flags.labelSelector !== undefined ? { labelSelector: run.flags.labelSelector } : {}),
    signal: run.signal,
  };
}

/** One kind's table (flux's `getCommand.run`); in `get all` an empty or unserved kind prints nothing. */
async function getKind(ctx: CommandContext, kind: FluxKind, run: GetRun, getAll: boolean): Promise<void> {
  let items: FluxObject[];
  try {
    items = (await run.client.listAll<FluxObject>(gvkOf(kind), listOptions(run))).items;
  } catch (err) {
    if (getAll && isNoMatch(err)) return;
    throw err;
  }
  const where = namespaceNameOrAny(run.flags.allNamespaces, run.namespace);
  if (items.length === 0) {
    if (getAll) return;
    if (run.name !== undefined) throw new Error(`${kind.kind} object '${run.name}' not found in ${where} namespace`);
    throw new Error(`no ${kind.kind} objects found in ${where} namespace`);
  }
  const rows = rowsOf(kind, items, run.flags, getAll);
  if (getAll && rows.length === 0) return;
  const header = run.flags.noHeader ? [] : headersFor(columnsFor(kind), run.flags.allNamespaces);
  ctx.io.stdout.write(formatTable(header, rows));
  if (getAll) ctx.io.stdout.write('\n');
}

/** `--watch`: a table row per event, the header before the first (flux's `watchUntil`). */
async function watchKind(ctx: CommandContext, kind: FluxKind, run: GetRun): Promise<void> {
  let first = true;
  const opts = listOptions(run);
  for await (const ev of run.client.watch<FluxObject>(gvkOf(kind), {
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(opts.fieldSelector !== undefined ? { fieldSelector: opts.fieldSelector } : {}),
    ...(opts.labelSelector !== undefined ? { labelSelector: opts.labelSelector } : {}),
    signal: run.signal,
  })) {
    if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
    const rows = rowsOf(kind, [ev.object], run.flags, false);
    const header = first && !run.flags.noHeader ? headersFor(columnsFor(kind), run.flags.allNamespaces) : [];
    ctx.io.stdout.write(formatTable(header, rows));
    first = false;
  }
  if (run.signal.aborted && !ctx.io.signal.aborted) throw new Error('timed out waiting for the condition');
}

async function runGet(
  ctx: CommandContext,
  cmd: Command,
  kinds: readonly FluxKind[],
  name: string | undefined,
  getAll: boolean,
): Promise<void> {
  const flags = getFlags(cmd);
  const globals = ctx.globals(cmd);
  if (getAll && flags.watch) throw new Error(`expected a single resource type, but found ${cmd.name()}`);
  const { client } = ctx.connect(cmd);
  const run: GetRun = {
    client,
    namespace: globals.namespace,
    flags,
    signal: timeoutSignal(ctx.io.signal, globals.timeoutMs),
    ...(name !== undefined ? { name } : {}),
  };
  if (flags.watch) {
    const [kind] = kinds;
    if (kind !== undefined) await watchKind(ctx, kind, run);
    return;
  }
  for (const kind of kinds) {
    try {
      await getKind(ctx, kind, run, getAll);
    } catch (err) {
      if (!getAll) throw err;
      // flux's logError: get all reports a kind's failure and goes on with the next kinds.
      ctx.logger.failuref(err instanceof Error ? err.message : String(err));
    }
  }
}

const example = (lines: string): string => `\nExamples:\n${lines}\n`;

function kindCommand(parent: Command, ctx: CommandContext, kind: FluxKind): Command {
  const cmd = parent
    .command(kind.getName)
    .aliases([...kind.getAliases])
    .description(`Get ${kind.kind} statuses`)
    .argument('[name]', `the name of a ${kind.kind}`)
    .action(async (name: string | undefined, _o: unknown, c: Command) => runGet(ctx, c, [kind], name, false));
  cmd.addHelpText(
    'after',
    example(
      `  # List all ${kind.kind} objects and their status\n  flux-ts get ${kind.parent !== undefined ? `${kind.parent === 'source' ? 'sources' : 'images'} ` : ''}${kind.getName}`,
    ),
  );
  return cmd;
}

function allCommand(parent: Command, ctx: CommandContext, kinds: readonly FluxKind[], what: string): Command {
  return parent
    .command('all')
    .description(`Get all ${what} statuses`)
    .action(async (_o: unknown, c: Command) => runGet(ctx, c, kinds, undefined, true));
}

const by = (k: string): FluxKind[] => fluxKinds.filter((f) => f.kind === k);

/** flux's `get sources all` order: OCIRepository, Bucket, GitRepository, HelmRepository, HelmChart (then ExternalArtifact). */
export function sourcesAllOrder(): FluxKind[] {
  return ['OCIRepository', 'Bucket', 'GitRepository', 'HelmRepository', 'HelmChart', 'ExternalArtifact'].flatMap(by);
}

/** flux's `get all` order: sources, images, then helmreleases, kustomizations, receivers, providers, alerts. */
export function getAllOrder(): FluxKind[] {
  return [
    ...sourcesAllOrder(),
    ...fluxKindsUnder('image'),
    ...by('HelmRelease'),
    ...by('Kustomization'),
    ...by('Receiver'),
    ...by('Provider'),
    ...by('Alert'),
  ];
}

/** Registers `get` and its subcommands. */
export function registerGet(program: Command, ctx: CommandContext): void {
  const get = program
    .command('get')
    .description('Get the resources and their status')
    .addOption(new Option('-A, --all-namespaces', 'list the requested object(s) across all namespaces').default(false))
    .addOption(new Option('--no-header', 'skip the header when printing the results'))
    .addOption(
      new Option('-w, --watch', 'After listing/getting the requested object, watch for changes.').default(false),
    )
    .addOption(
      new Option(
        '--status-selector <selector>',
        'specify the status condition name and the desired state to filter the get result, e.g. ready=false',
      ),
    )
    .addOption(new Option('-l, --label-selector <selector>', 'filter objects by label selector'));
  allCommand(get, ctx, getAllOrder(), 'resources');
  const sources = get.command('sources').alias('source').description('Get source statuses');
  allCommand(sources, ctx, sourcesAllOrder(), 'source');
  for (const k of fluxKindsUnder('source')) kindCommand(sources, ctx, k);
  const images = get.command('images').alias('image').description('Get image automation object status');
  allCommand(images, ctx, fluxKindsUnder('image'), 'image automation');
  for (const k of fluxKindsUnder('image')) kindCommand(images, ctx, k);
  for (const k of fluxKinds.filter((f) => f.parent === undefined)) kindCommand(get, ctx, k);
}
