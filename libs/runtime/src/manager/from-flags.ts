import type { ListenAddress } from '../config/address.ts';
import type { BuilderOptions } from '../controller/builder.ts';
import { leaderElectionID } from '../leader-election/leader-elector.ts';
import { LogEncodings, LogLevels } from '../observability/logger.ts';
import type { LogEncoding, LogLevel } from '../observability/logger.ts';
import type { ManagerLeaderElection } from './manager.ts';

/** The parsed common Flux flags this helper reads (a subset of `parseFlags(commonFlags, …)`'s result; ms for durations). */
export interface RuntimeFlagValues {
  readonly metricsAddr: ListenAddress;
  readonly healthAddr: ListenAddress;
  readonly concurrent: number;
  readonly watchLabelSelector: string;
  readonly logLevel: string;
  readonly logEncoding: string;
  readonly enableLeaderElection: boolean;
  readonly leaderElectionLeaseDuration: number;
  readonly leaderElectionRenewDeadline: number;
  readonly leaderElectionRetryPeriod: number;
  readonly leaderElectionReleaseOnCancel: boolean;
  readonly minRetryDelay: number;
  readonly maxRetryDelay: number;
}

/** Manager, controller and logger settings derived from the common flags. */
export interface RuntimeSettings {
  healthAddr: ListenAddress;
  metricsAddr: ListenAddress;
  /** Present with `--enable-leader-election`: Lease `<controller>-leader-election` (+ selector hash when sharded). */
  leaderElection?: ManagerLeaderElection;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay` for `controllerBuilder(...).withOptions(...)`. */
  controller: BuilderOptions;
  log: { level: LogLevel; encoding: LogEncoding };
}

/** controller-runtime's error for `--enable-leader-election` with neither `RUNTIME_NAMESPACE` nor a Pod namespace. */
export const LeaderElectionNamespaceMissing =
  'unable to find leader election namespace: not running in-cluster, please specify LeaderElectionNamespace';

/**
 * Maps Flux's common flags to runtime settings the way Flux's `main.go` does. Throws for a `--log-level` or
 * `--log-encoding` outside Flux's values, and for leader election without a namespace.
 */
export function runtimeSettingsFromFlags(
  controllerName: string,
  flags: RuntimeFlagValues,
  opts: { runtimeNamespace: string },
): RuntimeSettings {
  const level = LogLevels.find((l) => l === flags.logLevel);
  if (!level)
    throw new Error(`invalid --log-level ${JSON.stringify(flags.logLevel)}: must be one of ${LogLevels.join(', ')}`);
  const encoding = LogEncodings.find((e) => e === flags.logEncoding);
  if (!encoding) {
    throw new Error(
      `invalid --log-encoding ${JSON.stringify(flags.logEncoding)}: must be one of ${LogEncodings.join(', ')}`,
    );
  }
  const settings: RuntimeSettings = {
    healthAddr: flags.healthAddr,
    metricsAddr: flags.metricsAddr,
    controller: {
      concurrent: flags.concurrent,
      minRetryDelay: flags.minRetryDelay,
      maxRetryDelay: flags.maxRetryDelay,
    },
    log: { level, encoding },
  };
  if (flags.enableLeaderElection) {
    // controller-runtime's manager refuses to start without a Lease namespace; so do we, rather than never lead.
    if (!opts.runtimeNamespace) throw new Error(LeaderElectionNamespaceMissing);
    settings.leaderElection = {
      namespace: opts.runtimeNamespace,
      name: leaderElectionID(`${controllerName}-leader-election`, flags.watchLabelSelector),
      leaseDurationMs: flags.leaderElectionLeaseDuration,
      renewDeadlineMs: flags.leaderElectionRenewDeadline,
      retryPeriodMs: flags.leaderElectionRetryPeriod,
      releaseOnCancel: flags.leaderElectionReleaseOnCancel,
    };
  }
  return settings;
}
