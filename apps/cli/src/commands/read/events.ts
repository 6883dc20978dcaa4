import { Option, type Command } from 'commander';
import type { KubeClient, KubeObject, ListOptions } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { humanDuration } from '../shared/duration.ts';
import { fluxKindByKind, fluxKinds } from '../shared/kinds.ts';
import { gvkOf, stringAt, timeoutSignal, type FluxObject } from '../shared/objects.ts';
import { formatTable } from '../shared/table.ts';

/** A core/v1 Event as `flux events` reads it. */
export interface CoreEvent extends KubeObject {
  involvedObject: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
}

const EVENT_GVK = { apiVersion: 'v1', kind: 'Event' };

const since = (t: string | null | undefined, now: number): string =>
  t === undefined || t === null || t === '' ? '<unknown>' : humanDuration(now - new Date(t).getTime());

/** kubectl's `getLastSeen`, as flux copies it. */
export function lastSeen(e: CoreEvent, now: number): string {
  const first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
  if (e.series) return `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
  if ((e.count ?? 0) > 1) return `${since(e.lastTimestamp, now)} (x${e.count ?? 0} over ${first})`;
  return first;
}

/** kubectl's sort key of an event (series, last timestamp, event time). */
function eventTime(e: CoreEvent): number {
  const t = e.series?.lastObservedTime ?? (e.lastTimestamp || undefined) ?? e.eventTime ?? undefined;
  return t ? new Date(t).getTime() : 0;
}

/** flux's `getEventRow`. */
export function eventRow(e: CoreEvent, showNs: boolean, now: number): string[] {
  return [
    ...(showNs ? [e.metadata.namespace ?? ''] : []),
    lastSeen(e, now),
    e.type ?? '',
    e.reason ?? '',
    `${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}`,
    e.message ?? '',
  ];
}

/** flux's `getHeaders`. */
export function eventHeaders(showNs: boolean): string[] {
  return [...(showNs ? ['Namespace'] : []), 'Last seen', 'Type', 'Reason', 'Object', 'Message'];
}

/** The objects whose events `--for Kind/name` also shows (flux's `fluxKindMap` references). */
async function relatedRefs(
  client: KubeClient,
  kind: string,
  name: string,
  ns: string,
  signal: AbortSignal,
): Promise<{ kind: string; name: string; namespace: string }[]> {
  const fk = fluxKindByKind(kind);
  if (fk === undefined) return [];
  const field: Record<string, [string, string | undefined, boolean]> = {
    Kustomization: ['spec.sourceRef', undefined, true],
    HelmRelease: ['spec.chart.spec.sourceRef', undefined, true],
    Alert: ['spec.providerRef', 'Provider', false],
    ImagePolicy: ['spec.imageRepositoryRef', 'ImageRepository', true],
    HelmChart: ['spec.sourceRef', undefined, true],
  };
  const f = field[fk.kind];
  if (f === undefined) return [];
  const [path, staticKind, crossNs] = f;
  const obj = await client.get<FluxObject>(gvkOf(fk), { namespace: ns, name }, { signal });
  const refKind = staticKind ?? stringAt(obj, `${path}.kind`);
  const refName = stringAt(obj, `${path}.name`);
  const refNs = (crossNs ? stringAt(obj, `${path}.namespace`) : '') || ns;
  const out = [{ kind: refKind, name: refName, namespace: refNs }];
  if (fk.kind === 'HelmRelease') out.push({ kind: 'HelmChart', name: `${ns}-${name}`, namespace: refNs });
  return out;
}

const isFluxKind = (kind: string | undefined): boolean => fluxKinds.some((k) => k.kind === kind);

/** Registers `events`. */
export function registerEvents(program: Command, ctx: CommandContext): void {
  program
    .command('events')
    .description('Display Kubernetes events for Flux resources')
    .addOption(
      new Option('-A, --all-namespaces', 'display events from Flux resources across all namespaces').default(false),
    )
    .addOption(new Option('-w, --watch', 'indicate if the events should be streamed').default(false))
    .addOption(new Option('--for <selector>', 'get events for a particular object'))
    .addOption(new Option('--types <types>', 'filter events for certain types (valid types are: Normal, Warning)'))
    .addHelpText(
      'after',
      '\nExamples:\n  # Display events for flux resources in default namespace\n  flux-ts events -n default\n\n  # Display events for a Kustomization named podinfo\n  flux-ts events --for Kustomization/podinfo\n',
    )
    .action(async (_o: unknown, c: Command) => {
      const o = c.opts<{ allNamespaces: boolean; watch: boolean; for?: string; types?: string }>();
      const types = (o.types ?? '').split(',').filter((t) => t !== '');
      for (const t of types) {
        if (!['warning', 'normal'].includes(t.toLowerCase())) {
          throw new Error(`type '${t}' not supported. Supported types are Normal, Warning`);
        }
      }
      const globals = ctx.globals(c);
      const ns = globals.namespace;
      const { client } = ctx.connect(c);
      const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
      const selectors: { kind?: string; name?: string; namespace?: string }[] = [];
      let diffRefNs = false;
      if (o.for !== undefined && o.for !== '') {
        const slash = o.for.indexOf('/');
        const kind = slash < 0 ? o.for : o.for.slice(0, slash);
        const name = slash < 0 ? '' : o.for.slice(slash + 1);
        if (kind === '') throw new Error('--for selector must be of format <kind>[/<name>]');
        const fk = fluxKindByKind(kind);
        if (fk === undefined) throw new Error(`'${kind}' is not a recognized Flux kind`);
        selectors.push({ kind: fk.kind, ...(name !== '' ? { name } : {}), namespace: ns });
        if (name !== '') {
          for (const ref of await relatedRefs(client, fk.kind, name, ns, signal)) {
            if (ref.namespace !== (o.allNamespaces ? '' : ns)) diffRefNs = true;
            selectors.push(ref);
          }
        }
      } else {
        selectors.push(o.allNamespaces ? {} : { namespace: ns });
      }
      const showNs = o.allNamespaces || diffRefNs;
      const keep = (e: CoreEvent): boolean =>
        isFluxKind(e.involvedObject.kind) &&
        (types.length === 0 || types.some((t) => t.toLowerCase() === (e.type ?? '').toLowerCase()));
      const fieldSelector = (s: { kind?: string; name?: string }): string | undefined => {
        const parts = [
          ...(s.kind !== undefined ? [`involvedObject.kind=${s.kind}`] : []),
          ...(s.name !== undefined ? [`involvedObject.name=${s.name}`] : []),
        ];
        return parts.length > 0 ? parts.join(',') : undefined;
      };
      const matches = (s: { kind?: string; name?: string }) => (e: CoreEvent) =>
        (s.kind === undefined || e.involvedObject.kind === s.kind) &&
        (s.name === undefined || e.involvedObject.name === s.name);
      if (o.watch) {
        // flux watches the object's events and, concurrently, those of the objects it references.
        let first = true;
        await Promise.all(
          selectors.map(async (sel) => {
            const fs = fieldSelector(sel);
            for await (const ev of client.watch<CoreEvent>(EVENT_GVK, {
              ...(sel.namespace !== undefined ? { namespace: sel.namespace } : {}),
              ...(fs !== undefined ? { fieldSelector: fs } : {}),
              signal,
            })) {
              if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
              if (!keep(ev.object) || !matches(sel)(ev.object)) continue;
              ctx.io.stdout.write(
                formatTable(first ? eventHeaders(showNs) : [], [eventRow(ev.object, showNs, Date.now())]),
              );
              first = false;
            }
          }),
        );
        return;
      }
      const events: CoreEvent[] = [];
      for (const sel of selectors) {
        const fs = fieldSelector(sel);
        const opts: ListOptions = {
          ...(sel.namespace !== undefined ? { namespace: sel.namespace } : {}),
          ...(fs !== undefined ? { fieldSelector: fs } : {}),
          signal,
        };
        const list = await client.listAll<CoreEvent>(EVENT_GVK, opts).catch((err: unknown) => {
          throw new Error(`error getting events: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        });
        events.push(...list.items.filter(matches(sel)));
      }
      const now = Date.now();
      const rows = events
        .sort((a, b) => eventTime(a) - eventTime(b))
        .filter(keep)
        .map((e) => eventRow(e, showNs, now));
      if (rows.length === 0) {
        ctx.logger.failuref(o.allNamespaces ? 'No events found.' : `No events found in ${ns} namespace.`);
        return;
      }
      ctx.io.stdout.write(formatTable(eventHeaders(showNs), rows));
    });
}
