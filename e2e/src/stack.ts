/**
 * The embedded stack every e2e suite starts: libs/apiserver, the git server and the controllers as processes, on free
 * loopback ports, without the demo, persisting nothing, simulated workloads Ready after 300 ms.
 */
import { join } from 'node:path';
import { startEmbedded } from '@flux-ts/embedded';
import type { Embedded, EmbeddedOptions } from '@flux-ts/embedded';
import { freePort } from '@flux-ts/testbed';

/** The repository root (holds `apps/`, `deploy/`, `tools/`). */
export const WORKSPACE = join(import.meta.dirname, '..', '..');

/** The real kubectl the suites drive the cluster with (`KUBECTL` overrides). */
export const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

/** git without the user's or the system's configuration. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env['PATH'],
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  HOME: '/nonexistent',
};

/** The kinds the suites read and write. */
export const GVK = {
  ns: { apiVersion: 'v1', kind: 'Namespace' },
  cm: { apiVersion: 'v1', kind: 'ConfigMap' },
  secret: { apiVersion: 'v1', kind: 'Secret' },
  service: { apiVersion: 'v1', kind: 'Service' },
  pod: { apiVersion: 'v1', kind: 'Pod' },
  deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  hpa: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  git: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
  chart: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' },
  ks: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' },
  hr: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
  repo: { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository' },
  policy: { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' },
  auto: { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageUpdateAutomation' },
};

/** Starts the e2e stack with its state under `<tmp>/state`; `opts` adds to or overrides the suites' defaults. */
export async function startE2eStack(tmp: string, opts: Partial<EmbeddedOptions> = {}): Promise<Embedded> {
  return startEmbedded({
    workspace: WORKSPACE,
    stateDir: join(tmp, 'state'),
    gitPort: await freePort(),
    storagePort: await freePort(),
    demo: false,
    persist: false,
    simulateReadyMs: 300,
    ...opts,
  });
}
