import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { acceptGoBoolValues, addCreatePersistentFlags } from './common.ts';
import { registerEnvsubst } from './envsubst.ts';
import { registerHelmRelease } from './helmrelease.ts';
import { registerImageCommands } from './image.ts';
import { registerKustomization } from './kustomization.ts';
import { registerNotificationCommands } from './notification.ts';
import { registerSecretCommands } from './secrets.ts';
import { scanHostKey, type HostKeyScanner } from './ssh-keys.ts';
import {
  registerSourceBucket,
  registerSourceChart,
  registerSourceGit,
  registerSourceHelm,
  registerSourceOci,
} from './sources.ts';
import { registerTenant } from './tenant.ts';

/** The edges the create commands touch besides the cluster (replaced in tests). */
export interface CreateDeps {
  /** Reads an SSH server's host key as a known_hosts line. */
  readonly scanHostKey: HostKeyScanner;
  /** Reads a file named by a flag. */
  readonly readFile: (path: string) => string;
  /** Asks for a yes/no confirmation. */
  readonly confirm: (label: string) => Promise<boolean>;
}

/** The real edges: files relative to the working directory, the network, the terminal on stdin/stderr. */
export function defaultCreateDeps(ctx: CommandContext): CreateDeps {
  return {
    scanHostKey,
    readFile: (path) => readFileSync(resolve(ctx.io.cwd, path), 'utf8'),
    confirm: async (label) => {
      const rl = createInterface({
        input: ctx.io.stdin,
        output: { write: (s: string) => ctx.io.stderr.write(s) } as never,
      });
      try {
        const answer = await rl.question(`${label}? [y/N] `, { signal: ctx.io.signal });
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}

/** Registers `create` (every kind, `--export`) and `envsubst`. */
export function registerCreateCommands(
  program: Command,
  ctx: CommandContext,
  deps: CreateDeps = defaultCreateDeps(ctx),
): void {
  const create = program.command('create').description('Create or update sources and resources');
  addCreatePersistentFlags(create);
  const source = create
    .command('source')
    .description('Create or update sources')
    .option(
      '--fetch-timeout <duration>',
      "set a timeout for fetch operations performed by source-controller (e.g. 'git clone' or 'helm repo update')",
    );
  registerSourceGit(source, ctx, deps);
  registerSourceHelm(source, ctx, deps);
  registerSourceOci(source, ctx);
  registerSourceBucket(source, ctx);
  registerSourceChart(source, ctx);
  registerKustomization(create, ctx);
  registerHelmRelease(create, ctx);
  registerImageCommands(create, ctx);
  registerNotificationCommands(create, ctx);
  registerTenant(create, ctx);
  registerSecretCommands(create, ctx, deps);
  acceptGoBoolValues(create);
  registerEnvsubst(program, ctx);
}
