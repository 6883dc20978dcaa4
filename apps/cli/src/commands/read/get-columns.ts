import type { FluxKind } from '../shared/kinds.ts';
import {
  conditionsOf,
  statusAndMessage,
  stringAt,
  suspendedColumn,
  truncateHex,
  type FluxObject,
} from '../shared/objects.ts';

/** How `flux get` summarises one kind: its columns after NAME (and NAMESPACE), and its status-selector match. */
export interface KindColumns {
  /** The headers after `Name` (flux's `headers()` minus the name and namespace). */
  readonly headers: readonly string[];
  /** The cells after the name columns (flux's `summariseItem`). */
  row(obj: FluxObject): string[];
  /** The conditions `--status-selector` looks at (alerts and providers report a synthetic Ready=True). */
  conditions(obj: FluxObject): readonly { type: string; status: string }[];
}

const standard = (revision: (o: FluxObject) => string, truncate: boolean): KindColumns => ({
  headers: ['Revision', 'Suspended', 'Ready', 'Message'],
  row: (o) => {
    const [status, msg] = statusAndMessage(o);
    const rev = revision(o);
    return truncate
      ? [truncateHex(rev), suspendedColumn(o), status, truncateHex(msg)]
      : [rev, suspendedColumn(o), status, msg];
  },
  conditions: conditionsOf,
});

const artifactRevision = (o: FluxObject): string => stringAt(o, 'status.artifact.revision');

// Go's time.RFC3339 of a metav1.Time (seconds precision, `Z` in UTC).
const rfc3339 = (s: string): string => (s === '' ? s : new Date(s).toISOString().replace(/\.\d+Z$/, 'Z'));

const noRevision = (
  extra: { header: string; value: (o: FluxObject) => string } | undefined,
  suspend: boolean,
): KindColumns => ({
  headers: [...(extra ? [extra.header] : []), ...(suspend ? ['Suspended'] : []), 'Ready', 'Message'],
  row: (o) => {
    const [status, msg] = statusAndMessage(o);
    return [...(extra ? [extra.value(o)] : []), ...(suspend ? [suspendedColumn(o)] : []), status, msg];
  },
  conditions: conditionsOf,
});

const staticReady = (message: string, suspend: boolean): KindColumns => ({
  headers: [...(suspend ? ['Suspended'] : []), 'Ready', 'Message'],
  row: (o) => [...(suspend ? [suspendedColumn(o)] : []), 'True', message],
  conditions: () => [{ type: 'Ready', status: 'True' }],
});

function helmReleaseRevision(o: FluxObject): string {
  const history = o.status?.['history'];
  if (Array.isArray(history) && history.length > 0) {
    const v = stringAt(history[0], 'chartVersion');
    if (v !== '') return v;
  }
  return stringAt(o, 'status.lastAppliedRevision');
}

function latestImage(o: FluxObject): string {
  const image = stringAt(o, 'status.latestRef.name');
  const tag = stringAt(o, 'status.latestRef.tag');
  if (image === '') return stringAt(o, 'status.latestImage');
  const digest = stringAt(o, 'status.latestRef.digest');
  return `${image}:${tag}${digest !== '' ? `@${digest}` : ''}`;
}

/** flux's `get` columns for each kind (cmd/flux/get_*.go). */
export function columnsFor(kind: FluxKind): KindColumns {
  switch (kind.kind) {
    case 'Kustomization':
      return standard((o) => stringAt(o, 'status.lastAppliedRevision'), true);
    case 'HelmRelease':
      return standard(helmReleaseRevision, false);
    case 'Alert':
      return staticReady('Alert is Ready', true);
    case 'Provider':
      return staticReady('Provider is Ready', false);
    case 'Receiver':
      return noRevision(undefined, true);
    case 'ImageRepository':
      return noRevision(
        { header: 'Last scan', value: (o) => rfc3339(stringAt(o, 'status.lastScanResult.scanTime')) },
        true,
      );
    case 'ImagePolicy':
      return noRevision({ header: 'Latest image', value: latestImage }, false);
    case 'ImageUpdateAutomation':
      return noRevision(
        { header: 'Last run', value: (o) => rfc3339(stringAt(o, 'status.lastAutomationRunTime')) },
        true,
      );
    default:
      return standard(artifactRevision, true);
  }
}

/** A parsed `--status-selector`: `type=status` or `type!=status`, both case-insensitive. */
export interface StatusSelector {
  readonly type: string;
  readonly status: string;
  readonly negate: boolean;
}

/** Parses `--status-selector` with flux's error text. */
export function parseStatusSelector(s: string): StatusSelector {
  const ne = s.indexOf('!=');
  if (ne >= 0) return { type: s.slice(0, ne), status: s.slice(ne + 2), negate: true };
  const eq = s.indexOf('=');
  if (eq < 0) throw new Error(`expected status selector in type=status or type!=status format, but found: ${s}`);
  return { type: s.slice(0, eq), status: s.slice(eq + 1), negate: false };
}

/** flux's `statusMatches`: the last condition of that type (case-insensitive) has that status. */
export function statusSelectorMatches(
  conditions: readonly { type: string; status: string }[],
  sel: StatusSelector,
): boolean {
  let found: { type: string; status: string } | undefined;
  for (const c of conditions) if (c.type.toLowerCase() === sel.type.toLowerCase()) found = c;
  const match = found !== undefined && found.status.toLowerCase() === sel.status.toLowerCase();
  return sel.negate ? !match : match;
}

/** flux's `nameColumns`: NAMESPACE with `-A`, and `kind/name` in `get all`. */
export function nameColumns(obj: FluxObject, includeNamespace: boolean, includeKind: boolean): string[] {
  const name = includeKind ? `${obj.kind.toLowerCase()}/${obj.metadata.name}` : obj.metadata.name;
  return includeNamespace ? [obj.metadata.namespace ?? '', name] : [name];
}

/** The full header of a kind's table. */
export function headersFor(cols: KindColumns, includeNamespace: boolean): string[] {
  return [...(includeNamespace ? ['Namespace'] : []), 'Name', ...cols.headers];
}
