import { Option, type Command } from 'commander';
import type { KubeClient } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { fluxKinds, fluxKindWords, type FluxKind } from '../shared/kinds.ts';
import { gvkOf, timeoutSignal, type FluxObject } from '../shared/objects.ts';
import { addKindCommands } from './kind-commands.ts';
import { isObjectReady, pollObject, successMessage } from './wait.ts';

// The kinds with `spec.suspend` (flux's suspend/resume subcommands).
const suspendable = fluxKinds.filter((k) => !['ExternalArtifact', 'ImagePolicy'].includes(k.kind));

/** The objects named `name` (flux lists by `metadata.name`), or every one in the namespace. */
async function list(
  client: KubeClient,
  kind: FluxKind,
  namespace: string,
  name: string | undefined,
  signal: AbortSignal,
): Promise<FluxObject[]> {
  const res = await client.listAll<FluxObject>(gvkOf(kind), {
    namespace,
    ...(name !== undefined ? { fieldSelector: `metadata.name=${name}` } : {}),
    signal,
  });
  return res.items;
}

// Kinds whose current API version has no status: resumed means ready (flux's isStaticObjectReadyConditionFunc).
const statusless = new Set(['Alert', 'Provider']);

/** flux's `suspendCommand.run`: each named object (or `--all`) gets `spec.suspend: true`. */
async function suspendObjects(
  ctx: CommandContext,
  c: Command,
  kind: FluxKind,
  names: readonly string[],
  all: boolean,
): Promise<void> {
  const globals = ctx.globals(c);
  const ns = globals.namespace;
  const { client } = ctx.connect(c);
  const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
  const patchAll = async (objs: readonly FluxObject[]): Promise<void> => {
    for (const obj of objs) {
      ctx.logger.actionf(`suspending ${kind.humanKind} ${obj.metadata.name} in ${ns} namespace`);
      await client.patch(
        gvkOf(kind),
        { namespace: ns, name: obj.metadata.name },
        { spec: { suspend: true } },
        { type: 'merge', signal },
      );
      ctx.logger.successf(`${kind.humanKind} suspended`);
    }
  };
  if (names.length === 0 && all) {
    const objs = await list(client, kind, ns, undefined, signal);
    if (objs.length === 0) throw new Error('no objects found');
    await patchAll(objs);
    return;
  }
  for (const name of new Set(names)) {
    try {
      const objs = await list(client, kind, ns, name, signal);
      if (objs.length === 0) {
        ctx.logger.failuref(`${kind.kind} ${name} not found in ${ns} namespace`);
        continue;
      }
      await patchAll(objs);
    } catch (err) {
      ctx.logger.failuref(`failed suspending ${kind.kind} ${name} in ${ns} namespace: ${(err as Error).message}`);
    }
  }
}

/** flux's `resumeCommand.run`: unsuspend, then (one object, or `--wait`) wait for each to be ready. */
async function resumeObjects(
  ctx: CommandContext,
  c: Command,
  kind: FluxKind,
  names: readonly string[],
  wait: boolean | undefined,
): Promise<void> {
  const globals = ctx.globals(c);
  const ns = globals.namespace;
  const { client } = ctx.connect(c);
  const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
  const shouldReconcile = (wait === undefined && names.length === 1) || wait === true;
  const resumed: FluxObject[] = [];
  for (const name of names.length === 0 ? [undefined] : [...new Set(names)]) {
    const objs = await list(client, kind, ns, name, signal);
    if (objs.length === 0) ctx.logger.failuref(`no ${kind.kind} objects found in ${ns} namespace`);
    for (const obj of objs) {
      ctx.logger.actionf(`resuming ${kind.humanKind} ${obj.metadata.name} in ${ns} namespace`);
      await client.patch(
        gvkOf(kind),
        { namespace: ns, name: obj.metadata.name },
        { spec: { suspend: false } },
        { type: 'merge', signal },
      );
      resumed.push(obj);
      ctx.logger.successf(`${kind.humanKind} resumed`);
    }
  }
  if (!shouldReconcile) return;
  const results = await Promise.all(
    resumed.map(async (obj) => {
      ctx.logger.waitingf(`waiting for ${kind.kind} reconciliation`);
      const key = { namespace: ns, name: obj.metadata.name };
      try {
        const done = statusless.has(kind.kind) ? obj : await pollObject(client, kind, key, signal, isObjectReady);
        return { obj: done, err: undefined };
      } catch (err) {
        return { obj, err: err as Error };
      }
    }),
  );
  // As flux: sorted by name; a failure is reported, and the completion lines follow it all the same.
  for (const r of results.sort((a, b) => (a.obj.metadata.name <= b.obj.metadata.name ? -1 : 1))) {
    if (r.err !== undefined) ctx.logger.failuref(r.err.message);
    ctx.logger.successf(`${kind.kind} ${r.obj.metadata.name} reconciliation completed`);
    ctx.logger.successf(successMessage(kind, r.obj));
  }
}

function register(program: Command, ctx: CommandContext, verb: 'suspend' | 'resume'): void {
  const suspend = verb === 'suspend';
  const top = program
    .command(verb)
    .description(suspend ? 'Suspend resources' : 'Resume suspended resources')
    .addHelpText(
      'after',
      suspend
        ? '\nThe suspend sub-commands suspend the reconciliation of a resource.\n'
        : '\nThe resume sub-commands resume a suspended resource.\n',
    )
    .addOption(new Option('--all', `${suspend ? 'suspend' : 'resume'} all resources in that namespace`).default(false));
  if (!suspend) {
    top.addOption(new Option('--wait', 'waits for one resource to reconcile before moving to the next one'));
  }
  addKindCommands(top, suspend ? 'Suspend' : 'Resume', suspendable, (cmd, kind) => {
    const human = fluxKindWords(kind);
    cmd
      .description(`${suspend ? 'Suspend reconciliation of' : 'Resume a suspended'} ${kind.kind}`)
      .argument('[names...]', `the names of the ${kind.kind} objects`)
      .addHelpText(
        'after',
        `\nExamples:\n  # ${suspend ? 'Suspend' : 'Resume'} reconciliation for an existing ${kind.kind}\n  flux-ts ${verb} ${human} <name>\n`,
      )
      .action(async (names: string[], _o: unknown, c: Command) => {
        const o = c.optsWithGlobals<Record<string, unknown>>();
        const all = o['all'] === true;
        if (names.length === 0 && !all) throw new Error(`${kind.humanKind} name is required`);
        if (suspend) await suspendObjects(ctx, c, kind, names, all);
        else await resumeObjects(ctx, c, kind, names, typeof o['wait'] === 'boolean' ? o['wait'] : undefined);
      });
  });
}

/** Registers `suspend` and `resume`. */
export function registerSuspendResume(program: Command, ctx: CommandContext): void {
  register(program, ctx, 'suspend');
  register(program, ctx, 'resume');
}
