import type { Command } from 'commander';
import type { FluxKind, FluxKindParent } from '../shared/kinds.ts';

const parentDescriptions: Record<FluxKindParent, string> = {
  source: 'sources',
  image: 'image automation objects',
};

/**
 * Adds one subcommand per kind under `parent`, grouping the kinds flux addresses as `source <name>` and
 * `image <name>` under a `source`/`image` command (`flux reconcile source git`, `flux suspend image update`).
 */
export function addKindCommands(
  parent: Command,
  verb: string,
  kinds: readonly FluxKind[],
  build: (cmd: Command, kind: FluxKind) => void,
): void {
  const groups = new Map<FluxKindParent, Command>();
  for (const kind of kinds) {
    let under = parent;
    if (kind.parent !== undefined) {
      let g = groups.get(kind.parent);
      if (g === undefined) {
        g = parent.command(kind.parent).description(`${verb} ${parentDescriptions[kind.parent]}`);
        groups.set(kind.parent, g);
      }
      under = g;
    }
    const cmd = under.command(kind.name).aliases([...kind.aliases]);
    build(cmd, kind);
  }
}

/** `a` or `an` before a kind name, as flux's help texts write it (`an OCIRepository`, `an ImagePolicy`). */
export function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a';
}
