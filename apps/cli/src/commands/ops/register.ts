import type { Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { registerArtifactCommands } from './artifact.ts';
import { registerBootstrapCommands } from './bootstrap.ts';
import { registerBuildDiffKustomization } from './build-kustomization.ts';
import { registerInstallCommands } from './install.ts';

/** Registers install, uninstall, check, bootstrap, build, diff and the OCI artifact commands. */
export function registerOpsCommands(program: Command, ctx: CommandContext): void {
  registerInstallCommands(program, ctx);
  registerBootstrapCommands(program, ctx);
  const build = program
    .command('build')
    .summary('Build a flux resource')
    .description('The build command is used to build flux resources.');
  const diff = program
    .command('diff')
    .summary('Diff a flux resource')
    .description('The diff command is used to do a server-side dry-run on flux resources, then prints the diff.');
  registerBuildDiffKustomization(build, diff, ctx);
  const push = program
    .command('push')
    .summary('Push artifacts')
    .description('The push command uploads artifacts from the local filesystem to OCI repositories.');
  const pull = program
    .command('pull')
    .summary('Pull artifacts')
    .description('The pull command downloads artifacts from OCI repositories.');
  const tag = program.command('tag').summary('Tag artifacts').description('The tag sub-commands tag artifacts.');
  const list = program
    .command('list')
    .summary('List artifacts')
    .description('The list command lists the tags and annotations of artifacts.');
  registerArtifactCommands({ push, pull, tag, list, build, diff }, ctx);
}
