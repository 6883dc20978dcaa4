import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fluxKindByKind, fluxKindByName } from '../shared/kinds.ts';
import type { FluxObject } from '../shared/objects.ts';
import { formatTable, tableTitle } from '../shared/table.ts';
import { columnsFor, headersFor, nameColumns, parseStatusSelector, statusSelectorMatches } from './get-columns.ts';

const golden = (name: string): string => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');

const gitKind = fluxKindByKind('GitRepository');
if (gitKind === undefined) throw new Error('GitRepository missing from the kind table');

// The GitRepositories of flux2's cmd/flux/testdata/get/objects.yaml and status_objects.yaml.
const sha = '696f056df216eea4f9401adbee0ff744d4df390f';
function gitRepo(name: string, ready: { status: string; message: string } | undefined, revision?: string): FluxObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name, namespace: 'flux-system' },
    spec: { url: 'ssh://git@github.com/example/repo', interval: '5m' },
    status: {
      ...(revision !== undefined ? { artifact: { revision } } : {}),
      conditions: ready
        ? [{ type: 'Ready', reason: 'x', lastTransitionTime: '2021-07-20T00:48:16Z', ...ready } as never]
        : [],
    },
  };
}
const fetched = { status: 'True', message: `Fetched revision: main@sha1:${sha}` };
const objects = ['podinfo', 'podinfo-shard1', 'podinfo-shard2'].map((n) => gitRepo(n, fetched, `main@sha1:${sha}`));
const statusObjects = [
  gitRepo('gr-failed', { status: 'False', message: 'failed to checkout and determine revision' }),
  gitRepo('gr-ready', fetched, `main@sha1:${sha}`),
  gitRepo('gr-unknown', { status: 'Unknown', message: 'reconciliation in progress' }),
];

function table(items: FluxObject[], selector?: string): string {
  const cols = columnsFor(gitKind!);
  const sel = selector !== undefined ? parseStatusSelector(selector) : undefined;
  const rows = items
    .filter((o) => sel === undefined || statusSelectorMatches(cols.conditions(o), sel))
    .map((o) => [...nameColumns(o, false, false), ...cols.row(o)]);
  return formatTable(headersFor(cols, false), rows);
}

describe('flux get tables', () => {
  it('prints GitRepositories as flux2 testdata/get/get.golden', () => {
    expect(table(objects)).toBe(golden('get.golden'));
  });

  it('prints one row as get_label_one.golden', () => {
    expect(table(objects.filter((o) => o.metadata.name === 'podinfo-shard1'))).toBe(golden('get_label_one.golden'));
  });

  it('filters by --status-selector Ready=False as get_status_ready_false.golden', () => {
    expect(table(statusObjects, 'Ready=False')).toBe(golden('get_status_ready_false.golden'));
  });

  it('filters by --status-selector Ready!=True as get_status_ready_not_true.golden', () => {
    expect(table(statusObjects, 'Ready!=True')).toBe(golden('get_status_ready_not_true.golden'));
  });

  it('matches the selector case-insensitively', () => {
    expect(table(statusObjects, 'ready=true')).toContain('gr-ready');
    expect(table(statusObjects, 'ready=true')).not.toContain('gr-failed');
  });

  it("rejects a selector without '=' with flux's text", () => {
    expect(() => parseStatusSelector('Ready')).toThrow(
      'expected status selector in type=status or type!=status format, but found: Ready',
    );
  });

  it('prints the namespace column first with -A and kind/name in get all', () => {
    const [first] = objects;
    expect(nameColumns(first!, true, true)).toEqual(['flux-system', 'gitrepository/podinfo']);
    expect(headersFor(columnsFor(gitKind!), true)).toEqual([
      'Namespace',
      'Name',
      'Revision',
      'Suspended',
      'Ready',
      'Message',
    ]);
  });

  it('reports an object without Ready as waiting to be reconciled', () => {
    const cols = columnsFor(gitKind!);
    expect(cols.row(gitRepo('new', undefined))).toEqual(['', 'False', 'False', 'waiting to be reconciled']);
  });

  it('gives alerts and providers a synthetic Ready=True as flux', () => {
    const alert = fluxKindByName('alerts');
    expect(alert?.kind).toBe('Alert');
    const obj: FluxObject = { apiVersion: alert!.apiVersion, kind: 'Alert', metadata: { name: 'a' }, spec: {} };
    expect(columnsFor(alert!).row(obj)).toEqual(['False', 'True', 'Alert is Ready']);
    expect(statusSelectorMatches(columnsFor(alert!).conditions(obj), parseStatusSelector('Ready=True'))).toBe(true);
  });
});

describe('formatTable', () => {
  it('prints no header line with --no-header', () => {
    expect(formatTable([], [['a', 'b']])).toBe('a\tb\t\n');
  });

  it("upper-cases headers with tablewriter's Title", () => {
    expect(tableTitle('Last scan')).toBe('LAST SCAN');
    expect(tableTitle('api_version')).toBe('API VERSION');
  });

  it('splits multi-line cells into lines', () => {
    expect(formatTable(['A', 'B'], [['x', 'l1\nline2']])).toBe('A\tB     \nx\tl1   \t\n \tline2\t\n');
  });
});

describe('kind table', () => {
  it('knows flux aliases and storage versions', () => {
    expect(fluxKindByName('ks')?.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(fluxKindByName('hr')?.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
    expect(fluxKindByName('git', 'source')?.plural).toBe('gitrepositories');
    expect(fluxKindByName('update', 'image')?.kind).toBe('ImageUpdateAutomation');
    expect(fluxKindByName('alert-provider')?.apiVersion).toBe('notification.toolkit.fluxcd.io/v1beta3');
  });
});
