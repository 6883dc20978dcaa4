/**
 * Integration helpers for HelmRepository and HelmChart: generic object helpers over the source-controller harness
 * of gitrepository/harness.spec-helper.ts, and the helm binary with an isolated environment.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceGroupVersion } from '@flux-ts/api';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import { isNotFound } from '@flux-ts/runtime';
import { helmEnv, installHelm, run } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';

/** A source object as read back from the API server. */
export type SourceObj = KubeObject & {
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    url?: string;
    artifact?: { path: string; url: string; revision: string; digest?: string; size?: number };
    conditions?: { type: string; status: string; reason: string; message: string; observedGeneration?: number }[];
    observedChartName?: string;
    observedSourceArtifactRevision?: string;
    observedValuesFiles?: string[];
  };
};

const gvk = (kind: string): { apiVersion: string; kind: string } => ({ apiVersion: SourceGroupVersion, kind });

/** Creates a source object in `default`. */
export async function createSource(
  client: KubeClient,
  kind: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<SourceObj> {
  return client.create<SourceObj>({ ...gvk(kind), metadata: { name, namespace: 'default' }, spec } as SourceObj);
}

/** Reads a source object from `default`. */
export function getSource(client: KubeClient, kind: string, name: string): Promise<SourceObj> {
  return client.get<SourceObj>(gvk(kind), { namespace: 'default', name });
}

/** Merges a spec patch into a source object. */
export async function patchSourceSpec(
  client: KubeClient,
  kind: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await client.patch(gvk(kind), { namespace: 'default', name }, { spec }, { type: 'merge' });
}

/** Deletes a source object and waits until it is gone. */
export async function deleteSource(client: KubeClient, kind: string, name: string): Promise<void> {
  await client.delete(gvk(kind), { namespace: 'default', name });
  await until(`${kind} ${name} gone`, async () => {
    try {
      await getSource(client, kind, name);
      return undefined;
    } catch (err) {
      return isNotFound(err) ? true : undefined;
    }
  });
}

/** A condition of an object. */
export function cond(obj: SourceObj, type: string): { status: string; reason: string; message: string } | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** Ready=True for the current generation. */
export function ready(obj: SourceObj): boolean {
  return cond(obj, 'Ready')?.status === 'True' && obj.status?.observedGeneration === (obj.metadata.generation ?? 0);
}

/** Ready=False for the current generation with this reason. */
export function failedWith(reason: string): (obj: SourceObj) => boolean {
  return (obj) => {
    const r = cond(obj, 'Ready');
    return r?.status === 'False' && r.reason === reason;
  };
}

/** Waits until `check` holds; the failure names the last status seen. */
export async function waitSource(
  client: KubeClient,
  kind: string,
  name: string,
  check: (o: SourceObj) => boolean,
  what: string,
): Promise<SourceObj> {
  let last: SourceObj | undefined;
  return until(
    () => `${kind} ${name}: ${what} (last status ${JSON.stringify(last?.status)})`,
    async () => {
      last = await getSource(client, kind, name);
      return check(last) ? last : undefined;
    },
  );
}

/** Creates an Opaque Secret in `default`. */
export async function createSecret(
  client: KubeClient,
  name: string,
  values: Record<string, string>,
  type = 'Opaque',
): Promise<void> {
  await client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type,
    data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  } as KubeObject);
}

/** The helm binary and an isolated environment for it. */
export interface HelmCli {
  bin: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], cwd?: string): Promise<string>;
}

/** Installs (once) and prepares the real helm. */
export async function helmCli(): Promise<HelmCli> {
  const bin = await installHelm();
  const home = await mkdtemp(join(tmpdir(), 'flux-ts-helm-home-'));
  const env = helmEnv(home);
  return {
    bin,
    env,
    run: (args, cwd) => run(bin, args, { env, ...(cwd ? { cwd } : {}) }),
  };
}

/** Waits for an Event on a `default` object with this reason whose message matches. */
export async function waitEvent(
  client: KubeClient,
  kind: string,
  name: string,
  reason: string,
  message: RegExp,
): Promise<void> {
  await until(`${kind} ${name}: event ${reason} ${String(message)}`, async () => {
    const events = await client.list<
      KubeObject & { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }
    >({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
    return events.items.some(
      (e) =>
        e.involvedObject?.kind === kind &&
        e.involvedObject.name === name &&
        e.reason === reason &&
        message.test(e.message ?? ''),
    )
      ? true
      : undefined;
  });
}
