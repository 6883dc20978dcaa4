/**
 * What a server holds before its first request (a snapshot, or the system namespaces and bootstrap RBAC; then the
 * CRDs of `crdsDir` and the `objects` of the options), and how a snapshot replaces its contents later.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { WriteOptions } from '../api.ts';
import { StatusError } from '../errors.ts';
import type { ResourceDef } from '../resources.ts';
import type { StoreSnapshot } from '../store.ts';
import { getPath, isObj, type Obj } from '../util.ts';
import { aggregateClusterRoles, bootstrapRbacObjects } from '../wiring/auth.ts';
import type { ServerContext } from './context.ts';

const CRDS = 'apiextensions.k8s.io/customresourcedefinitions';

const systemWriteOptions = (): WriteOptions => ({
  dryRun: false,
  fieldManager: 'flux-ts-apiserver',
  fieldValidation: 'Ignore',
  warnings: [],
});

const defOfObj = (ctx: ServerContext, o: Obj): ResourceDef | undefined => {
  const av = String(o['apiVersion'] ?? '');
  const i = av.indexOf('/');
  const g = i < 0 ? '' : av.slice(0, i);
  const v = i < 0 ? av : av.slice(i + 1);
  return ctx.registry.byKind(g, v, String(o['kind'] ?? ''));
};

const createObj = (ctx: ServerContext, o: Obj): void => {
  const def = defOfObj(ctx, o);
  if (!def) throw new Error(`failed to create ${String(o['kind'])}: no such kind served`);
  ctx.core.create(def, String(getPath(o, 'metadata.namespace') ?? 'default'), o, systemWriteOptions());
};

/** Loads the CRDs of every *.yaml, *.yml and *.json file of a directory (multi-document; existing ones are kept). */
const loadCrdsDir = async (ctx: ServerContext, dir: string): Promise<void> => {
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  for (const f of files) {
    const text = await readFile(join(dir, f), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as unknown;
      if (isObj(o) && o['kind'] === 'CustomResourceDefinition') {
        try {
          createObj(ctx, o);
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 409))
            throw new Error(`failed to load CRD from ${f}: ${(err as Error).message}`, { cause: err });
        }
      }
    }
  }
};

/** Fills a new server's store from its options (`snapshot`, `crdsDir`, `objects`). */
export const seedStore = async (ctx: ServerContext): Promise<void> => {
  const opts = ctx.options;
  if (opts.snapshot) {
    ctx.store.restore(opts.snapshot);
    for (const crd of ctx.store.bucket(CRDS).list()) ctx.registry.installCrd(crd);
  } else {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      createObj(ctx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const boot = bootstrapRbacObjects();
    // admin/edit/view are stored with the rules the clusterrole-aggregation controller writes on a fresh cluster
    for (const o of [...aggregateClusterRoles(boot.clusterRoles), ...boot.clusterRoleBindings])
      createObj(ctx, structuredClone(o) as unknown as Obj);
  }
  if (opts.crdsDir) await loadCrdsDir(ctx, opts.crdsDir);
  for (const o of opts.objects ?? []) createObj(ctx, structuredClone(o));
};

/** Replaces a running server's contents with a snapshot: its CRDs are served, CRDs it lacks are no longer. */
export const restoreSnapshot = (ctx: ServerContext, s: StoreSnapshot): void => {
  ctx.store.restore(s);
  const crds = ctx.store.bucket(CRDS).list();
  const keep = new Set(crds.map((c) => String(getPath(c, 'metadata.name'))));
  for (const name of ctx.registry.crdNames()) if (!keep.has(name)) ctx.registry.removeCrd(name);
  ctx.registry.pruneGroups();
  for (const crd of crds) ctx.registry.installCrd(crd);
  ctx.openApiDocs.clear();
};
