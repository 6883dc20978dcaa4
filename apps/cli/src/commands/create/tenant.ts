import type { Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { isNotFound } from '@flux-ts/runtime';
import { upsert, type ApplyOptions } from './apply.ts';
import { collect, print, requireName, stringSlice, parseLabels } from './common.ts';
import { exportObject } from './export.ts';
import { applyOptions } from './sources.ts';

/** The label flux puts on a tenant's objects. */
export const TENANT_LABEL = 'toolkit.fluxcd.io/tenant';

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUALIFIED_NAME_MSG =
  "[name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')]";

interface TenantObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  [field: string]: unknown;
}

/** Creates the RoleBinding, or deletes and recreates it when its subjects, roleRef or labels differ. */
async function replaceRoleBinding(rb: TenantObject, opts: ApplyOptions): Promise<void> {
  const gvk = { apiVersion: rb.apiVersion, kind: rb.kind };
  const key = { name: rb.metadata.name, namespace: rb.metadata.namespace ?? '' };
  let existing: TenantObject;
  try {
    existing = await opts.client.get<TenantObject>(gvk, key, { signal: opts.signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await opts.client.create(rb, { signal: opts.signal });
    return;
  }
  const same =
    JSON.stringify(existing['subjects']) === JSON.stringify(rb['subjects']) &&
    JSON.stringify(existing['roleRef']) === JSON.stringify(rb['roleRef']) &&
    Object.entries(rb.metadata.labels).every(([k, v]) => existing.metadata.labels?.[k] === v);
  if (same) return;
  await opts.client.delete(gvk, key, { signal: opts.signal });
  await opts.client.create(rb, { signal: opts.signal });
}

/** `create tenant` (`cmd/flux/create_tenant.go`): per namespace a Namespace, a ServiceAccount and a RoleBinding. */
export function registerTenant(create: Command, ctx: CommandContext): void {
  create
    .command('tenant')
    .argument('[name]')
    .description('Create or update a tenant')
    .option('--with-namespace <namespace>', 'namespace belonging to this tenant', collect)
    .option('--cluster-role <role>', 'cluster role of the tenant role binding', 'cluster-admin')
    .option('--with-service-account <name>', 'service account belonging to this tenant')
    .option('--skip-namespace', 'skip namespace creation if it already exists', false)
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const tenant = requireName(name);
      if (!QUALIFIED_NAME.test(tenant)) throw new Error(`invalid tenant name '${tenant}': ${QUALIFIED_NAME_MSG}`);
      if (String(o['clusterRole']) === '') throw new Error('cluster-role is required');
      const namespaces = stringSlice(o['withNamespace']);
      if (namespaces.length === 0) throw new Error('with-namespace is required');
      const opts = cmd.optsWithGlobals<Record<string, unknown>>();
      const labels = { ...(parseLabels(stringSlice(opts['label'])) ?? {}), [TENANT_LABEL]: tenant };
      const sa =
        typeof o['withServiceAccount'] === 'string' && o['withServiceAccount'] !== ''
          ? o['withServiceAccount']
          : tenant;
      const role = String(o['clusterRole']);
      const objects: TenantObject[] = [];
      for (const ns of namespaces) {
        if (!QUALIFIED_NAME.test(ns)) throw new Error(`invalid namespace '${ns}': ${QUALIFIED_NAME_MSG}`);
        if (o['skipNamespace'] !== true)
          objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { labels, name: ns } });
        objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { labels, name: sa, namespace: ns } });
        objects.push({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { labels, name: `${tenant}-reconciler`, namespace: ns },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
          subjects: [
            { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `gotk:${ns}:reconciler` },
            { kind: 'ServiceAccount', name: sa, namespace: ns },
          ],
        });
      }
      if (opts['export'] === true) return print(ctx, objects.map((obj) => exportObject(obj)).join(''));
      const apply = applyOptions(ctx, cmd);
      const silent = { ...apply, logger: { ...apply.logger, successf: () => {} } };
      const what: Record<string, string> = {
        Namespace: 'namespace',
        ServiceAccount: 'service account',
        RoleBinding: 'role binding',
      };
      for (const obj of objects) {
        ctx.logger.actionf(`applying ${what[obj.kind] ?? obj.kind} ${obj.metadata.name}`);
        // flux replaces a changed RoleBinding (its roleRef is immutable); the update path handles the rest.
        if (obj.kind === 'RoleBinding') await replaceRoleBinding(obj, silent);
        else await upsert(obj, obj.kind, silent);
      }
      ctx.logger.successf('tenant setup completed');
    });
}
