import { afterEach, describe, expect, it } from 'vitest';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import {
  formatNameAndDescription,
  isCommitStatusUpdate,
  isProgressing,
  postJSON,
  requireHttpURL,
  rfc3339,
  splitCamelcase,
  unixSeconds,
} from './incident-shared.ts';
import { signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

describe('incident-shared', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('splits camel case like upstream splitCamelcase', () => {
    expect(splitCamelcase('ReconciliationSucceeded')).toEqual(['Reconciliation', 'Succeeded']);
    expect(splitCamelcase('PDFLoader')).toEqual(['PDF', 'Loader']);
    expect(splitCamelcase('HealthCheckFailed')).toEqual(['Health', 'Check', 'Failed']);
    expect(splitCamelcase('Version2Ready')).toEqual(['Version', '2', 'Ready']);
    expect(splitCamelcase('')).toEqual([]);
    expect(formatNameAndDescription(testEvent({ reason: 'ArtifactFailed' }))).toEqual({
      name: 'gitrepository/webapp',
      desc: 'artifact failed',
    });
  });

  it('reads the event time as Go does', () => {
    expect(unixSeconds('2020-01-01T00:00:01.9Z')).toBe(1577836801);
    expect(rfc3339('2020-01-01T01:00:00+01:00')).toBe('2020-01-01T00:00:00Z');
    expect(unixSeconds('garbage')).toBe(0);
  });

  it('recognizes commit status updates and progressing events', () => {
    expect(isCommitStatusUpdate(testEvent({ metadata: { commit_status: 'update' } }))).toBe(true);
    expect(isCommitStatusUpdate(testEvent())).toBe(false);
    expect(isProgressing(testEvent({ reason: 'Progressing' }))).toBe(true);
  });

  it('accepts only absolute http(s) URLs and never echoes them', () => {
    expect(requireHttpURL('https://example.com/x', 'X').host).toBe('example.com');
    const err = thrown(() => requireHttpURL('ftp://user:s3cr3t@example.com', 'X'));
    expect(err.message).toBe('invalid X URL');
  });

  it("posts JSON with Go's HTML-safe escapes", async () => {
    sink = await startSink();
    await postJSON({ headers: {}, timeoutMs: 5000 }, { url: sink.url, payload: { m: '<a & b>' }, signal: signal() });
    expect(sink.requests[0]!.body).toBe('{"m":"\\u003ca \\u0026 b\\u003e"}');
    expect(sink.requests[0]!.headers['content-type']).toBe('application/json');
  });
});
