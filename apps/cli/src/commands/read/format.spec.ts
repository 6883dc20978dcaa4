import { describe, expect, it } from 'vitest';
import { humanDuration } from '../shared/duration.ts';
import { goTimeString, truncateHex } from '../shared/objects.ts';
import { eventHeaders, eventRow, type CoreEvent } from './events.ts';
import { printExport } from './export.ts';
import { fluxKindByKind } from '../shared/kinds.ts';
import { formatLogLine } from './logs.ts';
import { rfc3339Nano } from './reconcile.ts';
import { formatSize, statsRow } from './stats.ts';
import { formatVersionInfo, splitImageStr } from './version.ts';

describe('flux output helpers', () => {
  it("formats ages as apimachinery's HumanDuration", () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(119_000)).toBe('119s');
    expect(humanDuration(150_000)).toBe('2m30s');
    expect(humanDuration(600_000)).toBe('10m');
    expect(humanDuration(3 * 3600_000 + 60_000)).toBe('3h1m');
    expect(humanDuration(50 * 3600_000)).toBe('2d2h');
    expect(humanDuration(-5_000)).toBe('<invalid>');
  });

  it('formats times as Go prints them', () => {
    expect(goTimeString('2021-07-16T15:42:20Z')).toBe('2021-07-16 15:42:20 +0000 UTC');
    expect(rfc3339Nano(new Date('2024-05-01T10:00:00.120Z'))).toBe('2024-05-01T10:00:00.12Z');
    expect(rfc3339Nano(new Date('2024-05-01T10:00:00.000Z'))).toBe('2024-05-01T10:00:00Z');
  });

  it('truncates digests to 8 hex characters as utils.TruncateHex', () => {
    expect(truncateHex(`main@sha1:${'a'.repeat(40)}`)).toBe('main@sha1:aaaaaaaa');
    expect(truncateHex(`sha256:${'b'.repeat(64)}`)).toBe('sha256:bbbbbbbb');
    expect(truncateHex('v1.2.3')).toBe('v1.2.3');
  });

  it('prints event rows with the namespace first when asked', () => {
    const now = Date.parse('2024-01-01T00:10:00Z');
    const e: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'flux-system' },
      involvedObject: { kind: 'GitRepository', name: 'podinfo' },
      type: 'Warning',
      reason: 'GitOperationFailed',
      message: 'failed',
      count: 3,
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: '2024-01-01T00:09:00Z',
    };
    expect(eventHeaders(true)).toEqual(['Namespace', 'Last seen', 'Type', 'Reason', 'Object', 'Message']);
    expect(eventRow(e, true, now)).toEqual([
      'flux-system',
      '60s (x3 over 10m)',
      'Warning',
      'GitOperationFailed',
      'GitRepository/podinfo',
      'failed',
    ]);
  });

  it("formats controller log lines with flux's template and filters", () => {
    const line = JSON.stringify({
      level: 'info',
      ts: 't',
      msg: 'm',
      controllerKind: 'Bucket',
      name: 'b',
      namespace: 'ns',
    });
    expect(formatLogLine(line, { namespace: 'ns', allNamespaces: false })).toBe('t info Bucket/b.ns - m \n');
    expect(formatLogLine(line, { namespace: 'other', allNamespaces: false })).toBeUndefined();
    expect(formatLogLine(line, { namespace: 'ns', allNamespaces: false, kind: 'bucket', level: 'info' })).toBeDefined();
    expect(formatLogLine(line, { namespace: 'ns', allNamespaces: false, level: 'error' })).toBeUndefined();
    expect(formatLogLine('plain text', { namespace: 'ns', allNamespaces: true })).toBeUndefined();
  });

  it("sizes storage as flux's formatSize and counts stats", () => {
    expect(formatSize(0)).toBe('-');
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(5 * 1024 * 1024)).toBe('5.0 MiB');
    const obj = (suspend: boolean, ready: string, size: number) => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'x' },
      spec: { suspend },
      status: { artifact: { size }, conditions: [{ type: 'Ready', status: ready } as never] },
    });
    expect(statsRow('GitRepository', [obj(true, 'True', 1024), obj(false, 'False', 1024)])).toEqual([
      'GitRepository',
      '1',
      '1',
      '1',
      '2.0 KiB',
    ]);
  });

  it('prints versions in the order flux marshals them', () => {
    expect(splitImageStr('ghcr.io/fluxcd/source-controller:v1.5.0')).toEqual(['source-controller', 'v1.5.0']);
    expect(splitImageStr('localhost:5000/fluxcd/helm-controller:v1.2.0@sha256:abc')).toEqual([
      'helm-controller',
      'v1.2.0@sha256:abc',
    ]);
    expect(() => splitImageStr('fluxcd/helm-controller')).toThrow('missing image tag in image fluxcd/helm-controller');
    expect(
      formatVersionInfo(
        'v2.5.0',
        'flux-v2.5.0',
        { 'source-controller': 'v1.5.0', 'helm-controller': 'v1.2.0' },
        'yaml',
      ),
    ).toBe('flux: v2.5.0\ndistribution: flux-v2.5.0\nhelm-controller: v1.2.0\nsource-controller: v1.5.0\n');
    expect(JSON.parse(formatVersionInfo('v2.5.0', '', { a: 'b' }, 'json'))).toEqual({ a: 'b', flux: 'v2.5.0' });
  });

  it("exports the object's own metadata and spec, without kubectl's annotation", () => {
    const kind = fluxKindByKind('Kustomization')!;
    const text = printExport(kind, {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: 'apps',
        namespace: 'flux-system',
        uid: 'u',
        resourceVersion: '1',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
        labels: { team: 'a' },
      },
      spec: {
        interval: '10m',
        path: './apps',
        prune: true,
        suspend: false,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
      status: { observedGeneration: 1 },
    });
    expect(text).toBe(
      '---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  labels:\n    team: a\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
    );
  });
});
