// Child process of `bench idle-informer`: one Informer of Kustomizations over the kubeconfig given, synced, then a
// full GC (Node runs it with --expose-gc). Input: one JSON argument ({@link InformerChildInput}); output: one JSON
// line ({@link InformerChildOutput}).
import { Informer, KubeClient, loadKubeConfig } from '@flux-ts/runtime';

/** What the parent passes. */
export interface InformerChildInput {
  kubeconfig: string;
  stripManagedFields: boolean;
}

/** What the child prints. */
export interface InformerChildOutput {
  /** heapUsed after start-up and a GC, before the informer, bytes. */
  heapBefore: number;
  /** heapUsed with the informer synced, after a GC, bytes. */
  heapSynced: number;
  rssSynced: number;
  objects: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as InformerChildInput;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const client = KubeClient.fromKubeConfig(loadKubeConfig({ kubeconfig: input.kubeconfig, env: {} }), { qps: 0 });
gc();
const heapBefore = process.memoryUsage().heapUsed;
const stop = new AbortController();
const informer = new Informer(
  client,
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' },
  { stripManagedFields: input.stripManagedFields },
);
informer.start(stop.signal);
await informer.waitForSync(stop.signal);
gc();
const m = process.memoryUsage();
const out: InformerChildOutput = { heapBefore, heapSynced: m.heapUsed, rssSynced: m.rss, objects: informer.size };
process.stdout.write(JSON.stringify(out) + '\n');
stop.abort();
process.exit(0);
