import { readFileSync } from 'node:fs';
import type { Env } from './flags.ts';

/** Where a Pod's ServiceAccount token mount holds the Pod's namespace. */
export const ServiceAccountNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** Environment settings Flux controllers read outside their flag tables. */
export interface ControllerEnv {
  /**
   * `RUNTIME_NAMESPACE` (downward API): the controller's own namespace; the only namespace watched when
   * `--watch-all-namespaces=false`, the leader-election Lease's namespace, and where kustomize-controller looks
   * up `--sops-age-secret`. Unset, the in-cluster ServiceAccount's namespace (controller-runtime's fallback).
   */
  readonly runtimeNamespace: string | undefined;
  /**
   * `SOURCE_CONTROLLER_LOCALHOST`: when set, artifact consumers (kustomize/helm) replace the host of
   * `status.artifact.url` with it before downloading.
   */
  readonly sourceControllerLocalhost: string | undefined;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(ServiceAccountNamespaceFile, 'utf8').trim();
  } catch {
    return undefined; // not running in a Pod
  }
}

/**
 * Reads {@link ControllerEnv} from an injected environment (empty values count as unset); `inClusterNamespace`
 * (default: {@link ServiceAccountNamespaceFile}) supplies the namespace when `RUNTIME_NAMESPACE` is unset.
 */
export function readControllerEnv(
  env: Env,
  inClusterNamespace: () => string | undefined = readServiceAccountNamespace,
): ControllerEnv {
  return Object.freeze({
    runtimeNamespace: nonEmpty(env['RUNTIME_NAMESPACE']) ?? nonEmpty(inClusterNamespace()),
    sourceControllerLocalhost: nonEmpty(env['SOURCE_CONTROLLER_LOCALHOST']),
  });
}
