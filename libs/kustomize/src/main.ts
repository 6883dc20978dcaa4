// CLI: `flux-ts-kustomize build DIR` prints what `kubectl kustomize DIR` prints.
import { build } from './build.ts';
import { toYaml } from './to-yaml.ts';

async function main(argv: string[]): Promise<number> {
  const [cmd, dir, ...rest] = argv;
  if (cmd !== 'build' || rest.some((a) => !a.startsWith('--'))) {
    process.stderr.write(
      'usage: flux-ts-kustomize build [DIR] [--load-restrictor=LoadRestrictionsNone] [--no-remote-bases]\n',
    );
    return 2;
  }
  const none = rest.includes('--load-restrictor=LoadRestrictionsNone') || rest.includes('--load-restrictor');
  try {
    const objs = await build(dir ?? '.', {
      loadRestrictions: none ? 'none' : 'rootOnly',
      // remote resources are cloned/downloaded like kubectl does, unless refused
      ...(rest.includes('--no-remote-bases') ? { remote: false as const } : {}),
    });
    process.stdout.write(toYaml(objs));
    return 0;
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
