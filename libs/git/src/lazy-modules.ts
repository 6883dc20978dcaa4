/**
 * Heavy dependencies loaded on first use (issue 22): ssh2 (~15 MiB of RSS) and openpgp (~18 MiB) cost every
 * controller that imports @flux-ts/git, even when no object uses SSH or signatures.
 */
import type * as OpenPgp from 'openpgp';
import type * as Ssh2 from 'ssh2';

// Lazily-resolved module promises: the only module-level state, one import per process.
let ssh2Module: Promise<typeof Ssh2> | undefined;
let openpgpModule: Promise<typeof OpenPgp> | undefined;

/** ssh2, imported on the first call. */
export function loadSsh2(): Promise<typeof Ssh2> {
  // Node exposes ssh2's CommonJS exports as `default` (`utils` is no detectable named export); @types/ssh2 omits it.
  ssh2Module ??= import('ssh2').then((m) => (m as unknown as { default: typeof Ssh2 }).default);
  return ssh2Module;
}

/** openpgp, imported on the first call. */
export function loadOpenpgp(): Promise<typeof OpenPgp> {
  openpgpModule ??= import('openpgp');
  return openpgpModule;
}
