import { describe, expect, it } from 'vitest';
import { builtinResources } from './resources.ts';
import { toTable } from './table.ts';

describe('the Pod table', () => {
  const pod = builtinResources().find((d) => d.kind === 'Pod' && d.group === '');
  if (!pod) throw new Error('Pod is not served');
  const now = Date.parse('2026-01-01T00:10:00Z');
  const meta = { name: 'p', creationTimestamp: '2026-01-01T00:00:00Z' };

  it("has kube-apiserver's wide columns at priority 1", () => {
    const t = toTable(pod, [], {}, 'None', now);
    const cols = t['columnDefinitions'] as { name: string; priority: number }[];
    expect(cols.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
  });

  it('counts restarts and tells when the last container restarted', () => {
    const restarted = {
      metadata: meta,
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        containerStatuses: [
          { name: 'a', restartCount: 2, lastState: { terminated: { finishedAt: '2026-01-01T00:05:00Z' } } },
          { name: 'b', restartCount: 1, lastState: { terminated: { finishedAt: '2026-01-01T00:08:00Z' } } },
        ],
      },
    };
    const rows = toTable(pod, [{ metadata: meta, spec: { containers: [] } }, restarted], {}, 'None', now)['rows'] as {
      cells: unknown[];
    }[];
    expect(rows.map((r) => r.cells[3])).toEqual(['0', '3 (2m ago)']);
  });

  it('prints <none> for an unplaced pod, and the first IP, node, nominated node and true gates of a placed one', () => {
    const placed = {
      metadata: meta,
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'c' }],
        readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }, { conditionType: 'c' }],
      },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }],
        nominatedNodeName: 'n2',
        conditions: [
          { type: 'a', status: 'True' },
          { type: 'b', status: 'False' },
          { type: 'c', status: 'True' },
        ],
      },
    };
    // a v1 pod with podIP only (podIPs is filled from it when converted)
    const v4only = { metadata: meta, spec: { containers: [] }, status: { podIP: '10.0.0.2' } };
    const rows = toTable(pod, [{ metadata: meta, spec: { containers: [] } }, placed, v4only], {}, 'None', now)[
      'rows'
    ] as { cells: unknown[] }[];
    expect(rows.map((r) => r.cells.slice(5))).toEqual([
      ['<none>', '<none>', '<none>', '<none>'],
      ['10.0.0.1', 'n1', 'n2', '2/3'],
      ['10.0.0.2', '<none>', '<none>', '<none>'],
    ]);
  });
});
