/**
 * The embedded cluster runs deploy/ (issue 20, part 3): deploy/install built by our kustomize engine and applied
 * server-side, as `kubectl apply --server-side -k deploy/install` would, then its Deployments run by the process
 * runtime.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import { startProcessRuntime, workspaceEntrypoint } from './process-runtime.ts';
import type { EntrypointResolver, ProcessRuntime } from './process-runtime.ts';

const run = promisify(execFile);

/** The field manager of what the embedded cluster applies from deploy/. */
export const DEPLOY_FIELD_MANAGER = 'flux-ts-embedded';

/** Options of {@link startDeployedControllers}. */
export interface DeployedControllersOptions {
  /** Workspace root (holds deploy/ and libs/kustomize's bin). */
  workspace: string;
  kubeConfig: KubeConfig;
  client: KubeClient;
  /** The runtime's state: `pods/`, `logs/<pod>.log`. */
  stateDir: string;
  /** The kustomization under deploy/ (default `install`). */
  dir?: string;
  /** The loopback port of the `source-controller` Service (artifact URLs in status name it; default: a free one). */
  storagePort?: number;
  onError?: (err: Error) => void;
  /** Which executable runs an image (default {@link workspaceEntrypoint}; e.g. a bundledEntrypoint's). */
  entrypoint?: EntrypointResolver;
}

/** The controllers of deploy/ running on the embedded cluster. */
export interface DeployedControllers {
  runtime: ProcessRuntime;
  /** The `webhook-receiver` Service's loopback URL (notification-controller's receiver). */
  receiverUrl: string;
  stop(): Promise<void>;
}

/** Builds deploy/<dir> with libs/kustomize (through its bin, as deploy.int.spec.ts does) into objects. */
export async function buildDeploy(workspace: string, dir: string, signal?: AbortSignal): Promise<KubeObject[]> {
  const bin = join(workspace, 'libs', 'kustomize', 'bin', 'flux-ts-kustomize.js');
  const { stdout } = await run(process.execPath, [bin, 'build', join(workspace, 'deploy', dir)], {
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
    ...(signal ? { signal } : {}),
  });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

/** Applies deploy/<dir> server-side and runs its Deployments as processes. */
export async function startDeployedControllers(opts: DeployedControllersOptions): Promise<DeployedControllers> {
  for (const obj of await buildDeploy(opts.workspace, opts.dir ?? 'install'))
    await opts.client.apply(obj, { fieldManager: DEPLOY_FIELD_MANAGER, force: true });
  const runtime = await startProcessRuntime({
    kubeConfig: opts.kubeConfig,
    stateDir: opts.stateDir,
    entrypoint: opts.entrypoint ?? workspaceEntrypoint(opts.workspace),
    ...(opts.storagePort !== undefined
      ? { servicePorts: { 'flux-system/source-controller:80': opts.storagePort } }
      : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
  try {
    const receiverUrl = `http://${await runtime.serviceAddress('webhook-receiver')}`;
    return { runtime, receiverUrl, stop: () => runtime.stop() };
  } catch (err) {
    await runtime.stop();
    throw err;
  }
}
