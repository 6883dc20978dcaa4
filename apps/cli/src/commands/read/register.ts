import type { Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { registerDelete } from './delete.ts';
import { registerEvents } from './events.ts';
import { registerExport } from './export.ts';
import { registerGet } from './get.ts';
import { registerLogs } from './logs.ts';
import { registerReconcile } from './reconcile.ts';
import { registerStats } from './stats.ts';
import { registerSuspendResume } from './suspend-resume.ts';
import { registerTrace } from './trace.ts';
import { registerTree } from './tree.ts';
import { registerVersion } from './version.ts';

/** Registers the commands that read and act on live objects: get, reconcile, suspend, resume, delete, export, events, logs, tree, trace, stats, version. */
export function registerReadCommands(program: Command, ctx: CommandContext): void {
  registerGet(program, ctx);
  registerReconcile(program, ctx);
  registerSuspendResume(program, ctx);
  registerDelete(program, ctx);
  registerExport(program, ctx);
  registerEvents(program, ctx);
  registerLogs(program, ctx);
  registerTree(program, ctx);
  registerTrace(program, ctx);
  registerStats(program, ctx);
  registerVersion(program, ctx);
}
