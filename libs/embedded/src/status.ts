import { isNotFound, NoKindMatchError } from '@flux-ts/runtime';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';

/** The Flux kinds the status table shows, in display order. */
export const FLUX_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'Bucket' },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' },
  { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
  { apiVersion: 'notification.toolkit.fluxcd.io/v1', kind: 'Receiver' },
  { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'ExternalArtifact' },
  { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository' },
  { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' },
  { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageUpdateAutomation' },
];

/** One row of the status table. */
export interface StatusRow {
  kind: string;
  namespace: string;
  name: string;
  /** The Ready condition's status: True, False or Unknown (Unknown also when it is missing). */
  ready: string;
  reason: string;
  message: string;
  /** The artifact revision of a source, the last applied revision of a Kustomization, the chart version a HelmRelease last attempted. */
  revision: string;
  suspended: boolean;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Builds the table row of one Flux object from its status. */
export function rowOf(obj: KubeObject & { spec?: unknown; status?: unknown }): StatusRow {
  const status = (obj['status'] ?? {}) as {
    conditions?: Condition[];
    artifact?: { revision?: string };
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
  };
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  return {
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    ready: ready?.status ?? 'Unknown',
    reason: ready?.reason ?? '',
    message: ready?.message ?? '',
    revision: status.artifact?.revision ?? status.lastAppliedRevision ?? status.lastAttemptedRevision ?? '',
    suspended: Boolean((obj['spec'] as { suspend?: boolean } | undefined)?.suspend),
  };
}

/** Lists every Flux object of {@link FLUX_KINDS} in all namespaces (kinds the server does not serve are skipped). */
export async function fluxRows(client: KubeClient, signal?: AbortSignal): Promise<StatusRow[]> {
  const rows: StatusRow[] = [];
  for (const gvk of FLUX_KINDS) {
    try {
      const list = await client.list(gvk, signal ? { signal } : {});
      rows.push(...list.items.map(rowOf));
    } catch (err) {
      if (isNotFound(err) || err instanceof NoKindMatchError) continue;
      throw err;
    }
  }
  return rows;
}

/** True when every row is Ready=True (and there is at least one). */
export function allReady(rows: readonly StatusRow[]): boolean {
  return rows.length > 0 && rows.every((r) => r.ready === 'True');
}

const clip = (s: string, n: number): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** Renders rows as a compact fixed-width table (one header line, one line per object). */
export function renderTable(rows: readonly StatusRow[], messageWidth = 60): string {
  const cells = [
    ['KIND', 'NAMESPACE/NAME', 'READY', 'REASON', 'REVISION', 'MESSAGE'],
    ...rows.map((r) => [
      r.kind,
      `${r.namespace}/${r.name}`,
      r.suspended ? `${r.ready} (suspended)` : r.ready,
      r.reason,
      clip(r.revision, 30),
      clip(r.message, messageWidth),
    ]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
