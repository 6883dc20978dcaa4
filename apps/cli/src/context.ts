import type { Command } from 'commander';
import { connectCluster, type Cluster } from './cluster.ts';
import { globalsOf, type GlobalOptions } from './globals.ts';
import type { CliIO } from './io.ts';
import { stderrLogger, type CliLogger } from './logger.ts';

/** What every command gets: the injected edges, the logger, and a way to reach the cluster. */
export interface CommandContext {
  /** The process edges (env, cwd, stdio, signal). */
  readonly io: CliIO;
  /** flux's stderr logger. */
  readonly logger: CliLogger;
  /** The persistent flags as `cmd` sees them. */
  globals(cmd: Command): GlobalOptions;
  /** Connects to the cluster the persistent flags name (lazily: offline commands never call it). */
  connect(cmd: Command): Cluster;
}

/** The default context: the cluster from the kubeconfig, the logger on stderr. */
export function createCommandContext(io: CliIO): CommandContext {
  return {
    io,
    logger: stderrLogger(io),
    globals: (cmd) => globalsOf(cmd),
    connect: (cmd) => connectCluster(globalsOf(cmd), io),
  };
}
