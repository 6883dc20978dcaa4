import { describe, expect, it } from 'vitest';
import { allReady, renderTable, rowOf } from './status.ts';

const obj = (kind: string, name: string, status: unknown, spec: unknown = {}) => ({
  apiVersion: 'x/v1',
  kind,
  metadata: { name, namespace: 'flux-system' },
  spec,
  status,
});

describe('status table', () => {
  it('takes Ready, reason, message and the revision of sources and appliers', () => {
    const src = rowOf(
      obj('GitRepository', 'demo', {
        conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'stored artifact' }],
        artifact: { revision: 'main@sha1:abc' },
      }),
    );
    expect(src).toMatchObject({ ready: 'True', reason: 'Succeeded', revision: 'main@sha1:abc', suspended: false });
    const ks = rowOf(
      obj(
        'Kustomization',
        'demo',
        {
          conditions: [{ type: 'Ready', status: 'False', reason: 'BuildFailed', message: 'x' }],
          lastAppliedRevision: 'r1',
        },
        { suspend: true },
      ),
    );
    expect(ks).toMatchObject({ ready: 'False', reason: 'BuildFailed', revision: 'r1', suspended: true });
    expect(rowOf(obj('Kustomization', 'new', undefined))).toMatchObject({ ready: 'Unknown', reason: '', revision: '' });
    const hr = rowOf(
      obj('HelmRelease', 'hello', {
        conditions: [{ type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded' }],
        lastAttemptedRevision: '0.1.0',
      }),
    );
    expect(hr).toMatchObject({ ready: 'True', reason: 'InstallSucceeded', revision: '0.1.0' });
  });

  it('is all Ready only when every object is Ready=True and there is one', () => {
    const ready = rowOf(obj('A', 'a', { conditions: [{ type: 'Ready', status: 'True' }] }));
    const notReady = rowOf(obj('A', 'b', { conditions: [{ type: 'Ready', status: 'False' }] }));
    expect(allReady([ready])).toBe(true);
    expect(allReady([ready, notReady])).toBe(false);
    expect(allReady([])).toBe(false);
  });

  it('renders aligned columns and clips long messages to one line', () => {
    const rows = [
      rowOf(obj('GitRepository', 'demo', { conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded' }] })),
      rowOf(
        obj('Kustomization', 'a-much-longer-name', {
          conditions: [
            { type: 'Ready', status: 'False', reason: 'BuildFailed', message: `line one\nline two ${'x'.repeat(80)}` },
          ],
        }),
      ),
    ];
    const lines = renderTable(rows, 20).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^KIND\s+NAMESPACE\/NAME\s+READY\s+REASON\s+REVISION\s+MESSAGE$/);
    expect(lines[2]).toContain('line one line two x');
    expect(lines[2]!.endsWith('…')).toBe(true);
    // Every column starts at the same offset on every line.
    expect(lines[1]!.indexOf('True')).toBe(lines[0]!.indexOf('READY'));
    expect(lines[2]!.indexOf('False')).toBe(lines[0]!.indexOf('READY'));
  });
});
