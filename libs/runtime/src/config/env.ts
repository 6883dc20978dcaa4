import type { Env } from './flags.ts';

/** Environment settings Flux controllers read outside their flag tables. */
export interface ControllerEnv {
  /**
   * `RUNTIME_NAMESPACE` (downward API): the controller's own namespace; the only namespace watched when
   * `--watch-all-namespaces=false`, and where kustomize-controller looks up `--sops-age-secret`.
   */
  readonly runtimeNamespace: string | undefined;
  /**
   * `SOURCE_CONTROLLER_LOCALHOST`: when set, artifact consumers (kustomize/helm) replace the host of
   * `status.artifact.url` with it before downloading.
   */
  readonly sourceControllerLocalhost: string | undefined;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** Reads {@link ControllerEnv} from an injected environment (empty values count as unset). */
export function readControllerEnv(env: Env): ControllerEnv {
  return Object.freeze({
    runtimeNamespace: nonEmpty(env['RUNTIME_NAMESPACE']),
    sourceControllerLocalhost: nonEmpty(env['SOURCE_CONTROLLER_LOCALHOST']),
  });
}
