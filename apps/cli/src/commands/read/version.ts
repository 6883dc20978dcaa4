import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { GO_YAML_V2, emitDocument, sortKeys, type YamlNode } from '@flux-ts/goyaml';
import { SourceGroup } from '@flux-ts/api';
import { isNotFound, type KubeObject } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { timeoutSignal } from '../shared/objects.ts';
import { FLUX_PART_OF_SELECTOR } from './logs.ts';

/** The CLI's own version (apps/cli/package.json). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0-dev.0';
}

/** flux's `splitImageStr`: the last path element of the repository and the tag (digest included). */
export function splitImageStr(image: string): [string, string] {
  const firstSlash = image.indexOf('/');
  const head = firstSlash < 0 ? '' : image.slice(0, firstSlash);
  const hasRegistry = head !== '' && (head.includes('.') || head.includes(':') || head === 'localhost');
  const repo = hasRegistry ? image.slice(firstSlash) : image;
  const colon = repo.indexOf(':');
  if (colon < 0) throw new Error(`missing image tag in image ${image}`);
  const path = repo.slice(0, colon).split('/');
  return [path[path.length - 1] ?? '', repo.slice(colon + 1)];
}

/** flux's `versionInfo` as YAML (goyaml.v2: flux, distribution, then the controllers in key order) or JSON. */
export function formatVersionInfo(
  flux: string,
  distribution: string,
  controllers: Record<string, string>,
  output: string,
): string {
  if (output === 'json') {
    const m: Record<string, string> = { flux, ...(distribution !== '' ? { distribution } : {}), ...controllers };
    const sorted = Object.fromEntries(
      Object.keys(m)
        .sort()
        .map((k) => [k, m[k]]),
    );
    return `${JSON.stringify(sorted, null, 2)}\n`;
  }
  const str = (value: string): YamlNode => ({ kind: 'string', value });
  const entries: [string, YamlNode][] = [['flux', str(flux)]];
  if (distribution !== '') entries.push(['distribution', str(distribution)]);
  for (const k of sortKeys(Object.keys(controllers))) entries.push([k, str(controllers[k] ?? '')]);
  return emitDocument({ kind: 'mapping', entries }, { ...GO_YAML_V2, viaJson: false });
}

interface DeploymentLike extends KubeObject {
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
}

/** Registers `version`. */
export function registerVersion(program: Command, ctx: CommandContext): void {
  program
    .command('version')
    .description('Print the client and server-side components version information.')
    .addOption(new Option('--client', 'print only client version').default(false))
    .addOption(
      new Option(
        '-o, --output <format>',
        "the format in which the information should be printed. can be 'json' or 'yaml'",
      ).default('yaml'),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  # Print client and server-side version\n  flux-ts version\n\n  # Print only client version\n  flux-ts version --client\n',
    )
    .action(async (o: { client: boolean; output: string }, c: Command) => {
      if (o.output !== 'yaml' && o.output !== 'json') throw new Error(`--output must be json or yaml, not ${o.output}`);
      const controllers: Record<string, string> = {};
      let distribution = '';
      if (!o.client) {
        const globals = ctx.globals(c);
        const { client } = ctx.connect(c);
        const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
        try {
          const crd = await client.get(
            { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' },
            { name: `gitrepositories.${SourceGroup}` },
            { signal },
          );
          const labels = crd.metadata.labels ?? {};
          const version = labels['app.kubernetes.io/version'] ?? '';
          const partOf = labels['app.kubernetes.io/part-of'] ?? '';
          distribution = version !== '' && partOf !== '' ? `${partOf}-${version}` : version;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        const list = await client.listAll<DeploymentLike>(
          { apiVersion: 'apps/v1', kind: 'Deployment' },
          { namespace: globals.namespace, labelSelector: FLUX_PART_OF_SELECTOR, signal },
        );
        if (list.items.length === 0) throw new Error(`no deployments found in ${globals.namespace} namespace`);
        for (const d of list.items) {
          for (const container of d.spec?.template?.spec?.containers ?? []) {
            const [name, tag] = splitImageStr(container.image ?? '');
            controllers[name] = tag;
          }
        }
      }
      ctx.io.stdout.write(formatVersionInfo(`v${cliVersion()}`, distribution, controllers, o.output));
    });
}
