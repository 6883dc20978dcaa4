import { Option, type Command } from 'commander';
import { GO_YAML_V2, emitDocument, sortKeys, type YamlNode } from '@flux-ts/goyaml';
import type { CommandContext } from '../../context.ts';
import { fluxKinds, fluxKindWords, type FluxKind } from '../shared/kinds.ts';
import { gvkOf, stringAt, timeoutSignal, type FluxObject } from '../shared/objects.ts';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import { addKindCommands } from './kind-commands.ts';

/** The annotation kubectl's client-side apply writes; flux's exports carry only the object's own metadata. */
const kubectlLastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

// encoding/json of a float64: integers without exponent below 1e21, others in Go's shortest form.
function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  const [mant = '', e = '0'] = n.toExponential().split('e');
  const ev = Number(e);
  if (ev < -4 || ev >= 21) return `${mant}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(2, '0')}`;
  return String(n);
}

function toNode(v: unknown): YamlNode {
  if (v === null || v === undefined) return { kind: 'scalar', text: 'null' };
  if (typeof v === 'boolean') return { kind: 'scalar', text: v ? 'true' : 'false' };
  if (typeof v === 'number') return { kind: 'scalar', text: goNumber(v) };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (Array.isArray(v)) return { kind: 'sequence', items: v.map(toNode) };
  const obj = v as Record<string, unknown>;
  const keys = sortKeys(Object.keys(obj).filter((k) => obj[k] !== undefined));
  return { kind: 'mapping', entries: keys.map((k) => [k, toNode(obj[k])]) };
}

const nonEmpty = (m: Record<string, string> | undefined): Record<string, string> | undefined =>
  m !== undefined && Object.keys(m).length > 0 ? m : undefined;

/**
 * flux's `exportX(obj)`: apiVersion and kind of the CLI's version, metadata name/namespace/labels/annotations, and
 * the spec (`suspend: false` left out, as Go's `omitempty` leaves it).
 */
export function exportable(kind: FluxKind, obj: FluxObject): Record<string, unknown> {
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  delete annotations[kubectlLastApplied];
  const spec = { ...(obj.spec ?? {}) };
  if (spec.suspend === false) delete spec.suspend;
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      labels: nonEmpty(obj.metadata.labels),
      annotations: nonEmpty(annotations),
    },
    spec,
  };
}

/** flux's `printExport`: `---`, then the object as sigs.k8s.io/yaml marshals it, space-trimmed, each Println'ed. */
export function printExport(kind: FluxKind, obj: FluxObject): string {
  return `---\n${emitDocument(toNode(exportable(kind, obj)), GO_YAML_V2).trim()}\n`;
}

/** flux's `printSecretCredentials`: the source's Secret (name, namespace, data and type only). */
async function secretCredentials(
  client: KubeClient,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<string> {
  let cred: KubeObject & { data?: Record<string, string>; type?: string };
  try {
    cred = await client.get({ apiVersion: 'v1', kind: 'Secret' }, { namespace, name }, { signal });
  } catch (err) {
    throw new Error(`failed to retrieve secret ${name}, error: ${(err as Error).message}`, { cause: err });
  }
  const exported = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    data: cred.data,
    type: cred.type,
  };
  return `---\n${emitDocument(toNode(exported), GO_YAML_V2).trim()}\n`;
}

/** Registers `export` and its subcommands. */
export function registerExport(program: Command, ctx: CommandContext): void {
  const exp = program
    .command('export')
    .description('Export resources in YAML format')
    .addHelpText('after', '\nThe export sub-commands export resources in YAML format.\n')
    .addOption(new Option('--all', 'select all resources').default(false));
  addKindCommands(
    exp,
    'Export',
    fluxKinds.filter((k) => k.kind !== 'ExternalArtifact'),
    (cmd, kind) => {
      cmd
        .description(`Export ${kind.kind} resources in YAML format`)
        .argument('[name]', `the name of the ${kind.kind}`)
        .addHelpText(
          'after',
          `\nExamples:\n  # Export all ${kind.kind} resources\n  flux-ts export ${fluxKindWords(kind)} --all > objects.yaml\n`,
        )
        .action(async (name: string | undefined, _o: unknown, c: Command) => {
          const all = c.optsWithGlobals<Record<string, unknown>>()['all'] === true;
          if (!all && (name === undefined || name === '')) throw new Error('name is required');
          const globals = ctx.globals(c);
          const { client } = ctx.connect(c);
          const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
          const withCredentials = c.optsWithGlobals<Record<string, unknown>>()['withCredentials'] === true;
          const print = async (obj: FluxObject): Promise<void> => {
            ctx.io.stdout.write(printExport(kind, obj));
            const secret = stringAt(obj, 'spec.secretRef.name');
            // (flux's --all stops after the first object with a Secret; every object is exported here)
            if (withCredentials && secret !== '') {
              ctx.io.stdout.write(
                await secretCredentials(client, obj.metadata.namespace ?? globals.namespace, secret, signal),
              );
            }
          };
          if (all) {
            const list = await client.listAll<FluxObject>(gvkOf(kind), { namespace: globals.namespace, signal });
            if (list.items.length === 0) throw new Error(`no objects found in ${globals.namespace} namespace`);
            for (const obj of list.items) await print(obj);
            return;
          }
          await print(
            await client.get<FluxObject>(gvkOf(kind), { namespace: globals.namespace, name: name ?? '' }, { signal }),
          );
        });
    },
  );
  exp.commands
    .find((c) => c.name() === 'source')
    ?.addOption(new Option('--with-credentials', 'include credential secrets').default(false));
}
