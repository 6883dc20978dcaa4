import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClient } from '../patch/fake-client.spec-helper.ts';
import { postFluxEvent, type FluxEvent } from './flux-event.ts';
import { EventRecorder } from './recorder.ts';

interface Received {
  method?: string;
  contentType?: string;
  body: string;
}

async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 202;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const ks = {
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: {
    name: 'webapp',
    namespace: 'apps',
    uid: '2b5e6c1e-0000-4000-8000-000000000001',
    resourceVersion: '42',
    annotations: { 'event.toolkit.fluxcd.io/summary': 'prod cluster', 'other.io/x': 'not copied' },
  },
};
const sample: FluxEvent = {
  involvedObject: {
    kind: 'Kustomization',
    namespace: 'apps',
    name: 'webapp',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  },
  severity: 'info',
  timestamp: '2026-08-01T10:20:30Z',
  message: 'm',
  reason: 'R',
  reportingController: 'kustomize-controller',
};
const fixedNow = () => new Date('2026-08-01T10:20:30.456Z');

describe('EventRecorder webhook', () => {
  it('POSTs the Flux event JSON with exactly the reference keys', async () => {
    const r = await receiver([202]);
    servers.push(r.server);
    const rec = new EventRecorder({
      reportingController: 'kustomize-controller',
      reportingInstance: 'kustomize-controller-7d9f',
      eventsAddr: r.url,
      now: fixedNow,
    });
    await rec.event(ks, {
      type: 'Normal',
      reason: 'ReconciliationSucceeded',
      message: 'Applied revision: main@sha1:abc',
      metadata: { revision: 'main@sha1:abc', originRevision: 'v1@sha1:def', commit_status: 'update' },
      token: 'tok123',
    });
    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    expect(got.method).toBe('POST');
    expect(got.contentType).toBe('application/json');
    const body = JSON.parse(got.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'involvedObject',
      'severity',
      'timestamp',
      'message',
      'reason',
      'metadata',
      'reportingController',
      'reportingInstance',
    ]);
    expect(body).toEqual({
      involvedObject: {
        kind: 'Kustomization',
        namespace: 'apps',
        name: 'webapp',
        uid: '2b5e6c1e-0000-4000-8000-000000000001',
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      },
      severity: 'info',
      timestamp: '2026-08-01T10:20:30Z',
      message: 'Applied revision: main@sha1:abc',
      reason: 'ReconciliationSucceeded',
      metadata: {
        'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:abc',
        'kustomize.toolkit.fluxcd.io/originRevision': 'v1@sha1:def',
        'kustomize.toolkit.fluxcd.io/commit_status': 'update',
        'kustomize.toolkit.fluxcd.io/token': 'tok123',
        'event.toolkit.fluxcd.io/summary': 'prod cluster',
      },
      reportingController: 'kustomize-controller',
      reportingInstance: 'kustomize-controller-7d9f',
    });
    expect(Object.keys(body.involvedObject as object)).toEqual(['kind', 'namespace', 'name', 'uid', 'apiVersion']);
  });

  it('maps Warning to severity error, caps the message at 39000 chars and keeps Trace events local', async () => {
    const r = await receiver([200]);
    servers.push(r.server);
    const client = new FakeClient();
    const rec = new EventRecorder({
      reportingController: 'source-controller',
      reportingInstance: 'sc-0',
      eventsAddr: r.url,
      client,
      now: fixedNow,
    });
    await rec.event(ks, { type: 'Warning', reason: 'BuildFailed', message: 'x'.repeat(50000) });
    await rec.event(ks, { type: 'Trace', reason: 'ArtifactUpToDate', message: 'artifact up-to-date' });
    expect(r.received).toHaveLength(1);
    const body = JSON.parse(r.received[0]!.body) as { severity: string; message: string };
    expect(body.severity).toBe('error');
    expect(body.message).toHaveLength(39000);
    const events = [...client.objects.values()].filter((o) => o.kind === 'Event');
    expect(events.map((e) => e.type)).toEqual(['Warning', 'Normal']);
    expect(events.map((e) => e.reason)).toEqual(['BuildFailed', 'ArtifactUpToDate']);
  });

  it('does not retry 429 but retries 5xx', async () => {
    const limited = await receiver([429]);
    servers.push(limited.server);
    const rec = new EventRecorder({
      reportingController: 'c',
      eventsAddr: limited.url,
      retries: 3,
      retryWaitMinMs: 1,
      retryWaitMaxMs: 2,
    });
    await rec.event(ks, { type: 'Normal', reason: 'R', message: 'm' });
    expect(limited.received).toHaveLength(1);

    const flaky = await receiver([503, 500, 202]);
    servers.push(flaky.server);
    const rec2 = new EventRecorder({
      reportingController: 'c',
      eventsAddr: flaky.url,
      retries: 3,
      retryWaitMinMs: 1,
      retryWaitMaxMs: 2,
    });
    await rec2.event(ks, { type: 'Normal', reason: 'R', message: 'm' });
    expect(flaky.received).toHaveLength(3);

    const broken = await receiver([500]);
    servers.push(broken.server);
    const rec3 = new EventRecorder({
      reportingController: 'c',
      eventsAddr: broken.url,
      retries: 2,
      retryWaitMinMs: 1,
      retryWaitMaxMs: 2,
    });
    await rec3.event(ks, { type: 'Normal', reason: 'R', message: 'm' });
    expect(broken.received).toHaveLength(3); // first attempt + 2 retries, then gives up without throwing

    const bad = await receiver([400]);
    servers.push(bad.server);
    const rec4 = new EventRecorder({
      reportingController: 'c',
      eventsAddr: bad.url,
      retries: 3,
      retryWaitMinMs: 1,
      retryWaitMaxMs: 2,
    });
    await rec4.event(ks, { type: 'Normal', reason: 'R', message: 'm' });
    expect(bad.received).toHaveLength(1);
  });

  it('passes an abort signal with a timeout to fetch and survives network errors', async () => {
    const seen: (AbortSignal | null | undefined)[] = [];
    const fakeFetch: typeof fetch = async (_input, init) => {
      seen.push(init?.signal);
      throw new TypeError('fetch failed');
    };
    const rec = new EventRecorder({
      reportingController: 'c',
      eventsAddr: 'http://notification-controller.flux-system.svc/',
      fetch: fakeFetch,
      retries: 1,
      retryWaitMinMs: 1,
    });
    await rec.event(ks, { type: 'Normal', reason: 'R', message: 'm' });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(AbortSignal);
  });
});

describe('postFluxEvent timeout', () => {
  it('aborts a request the receiver never answers and reports it without throwing', async () => {
    let hits = 0;
    const server = createServer(() => {
      hits++; // never respond
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    const res = await postFluxEvent(`http://127.0.0.1:${port}/`, sample, { timeoutMs: 50, retries: 0 });
    expect(res).toMatchObject({ ok: false, attempts: 1, error: 'request timed out' });
    expect(hits).toBe(1);
    server.closeAllConnections();
  });
});

describe('EventRecorder Kubernetes events', () => {
  it('writes a core/v1 Event with source, reporting fields and metadata annotations', async () => {
    const client = new FakeClient();
    const rec = new EventRecorder({
      reportingController: 'kustomize-controller',
      reportingInstance: 'kc-0',
      client,
      now: fixedNow,
    });
    await rec.event(ks, {
      type: 'Normal',
      reason: 'ReconciliationSucceeded',
      message: 'ok',
      metadata: { revision: 'r1' },
    });
    const [ev] = [...client.objects.values()];
    expect(ev).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        namespace: 'apps',
        annotations: {
          'kustomize.toolkit.fluxcd.io/revision': 'r1',
          'event.toolkit.fluxcd.io/summary': 'prod cluster',
        },
      },
      involvedObject: {
        kind: 'Kustomization',
        namespace: 'apps',
        name: 'webapp',
        uid: ks.metadata.uid,
        apiVersion: ks.apiVersion,
        resourceVersion: '42',
      },
      reason: 'ReconciliationSucceeded',
      message: 'ok',
      source: { component: 'kustomize-controller', host: 'kc-0' },
      firstTimestamp: '2026-08-01T10:20:30Z',
      lastTimestamp: '2026-08-01T10:20:30Z',
      count: 1,
      type: 'Normal',
      reportingComponent: 'kustomize-controller',
      reportingInstance: 'kc-0',
    });
    expect(ev!.metadata.name).toMatch(/^webapp\.[0-9a-f]+$/);
  });

  it('aggregates repeats into one Event by bumping count and lastTimestamp', async () => {
    const client = new FakeClient();
    let t = new Date('2026-08-01T10:00:00Z');
    const rec = new EventRecorder({ reportingController: 'sc', reportingInstance: 'sc-0', client, now: () => t });
    await rec.event(ks, { type: 'Warning', reason: 'GitOperationFailed', message: 'auth failed' });
    t = new Date('2026-08-01T10:01:00Z');
    await rec.event(ks, { type: 'Warning', reason: 'GitOperationFailed', message: 'auth failed' });
    t = new Date('2026-08-01T10:02:00Z');
    await rec.event(ks, { type: 'Warning', reason: 'GitOperationFailed', message: 'auth failed' });
    await rec.event(ks, { type: 'Warning', reason: 'GitOperationFailed', message: 'different' });

    const events = [...client.objects.values()];
    expect(events).toHaveLength(2);
    const first = events.find((e) => e.message === 'auth failed')!;
    expect(first).toMatchObject({
      count: 3,
      firstTimestamp: '2026-08-01T10:00:00Z',
      lastTimestamp: '2026-08-01T10:02:00Z',
    });
    expect(client.callsOf('create')).toHaveLength(2);
    expect(client.callsOf('patch')).toHaveLength(2);
  });

  it('combines more than 10 distinct messages of the same reason into one Event', async () => {
    const client = new FakeClient();
    const rec = new EventRecorder({ reportingController: 'sc', reportingInstance: 'sc-0', client, now: fixedNow });
    for (let i = 0; i < 15; i++) await rec.event(ks, { type: 'Warning', reason: 'Progressing', message: `step ${i}` });
    const events = [...client.objects.values()];
    expect(events).toHaveLength(10);
    const combined = events.find((e) => String(e.message).startsWith('(combined from similar events): '));
    expect(combined).toMatchObject({ count: 6, message: '(combined from similar events): step 14' });
  });

  it('creates a new Event when the one to bump is gone', async () => {
    const client = new FakeClient();
    const rec = new EventRecorder({ reportingController: 'sc', reportingInstance: 'sc-0', client, now: fixedNow });
    await rec.event(ks, { type: 'Normal', reason: 'R', message: 'm' });
    client.objects.clear();
    await rec.event(ks, { type: 'Normal', reason: 'R', message: 'm' });
    expect([...client.objects.values()]).toHaveLength(1);
    expect(client.callsOf('create')).toHaveLength(2);
  });
});

describe('redaction', () => {
  it('never sends URL credentials in event messages', async () => {
    const client = new FakeClient();
    const rec = new EventRecorder({ reportingController: 'sc', reportingInstance: 'sc-0', client, now: fixedNow });
    await rec.event(ks, {
      type: 'Warning',
      reason: 'GitOperationFailed',
      message: "failed to clone 'https://bob:s3cr3t@git.example.com/repo.git': 401",
    });
    const [ev] = [...client.objects.values()];
    expect(ev!.message).toBe("failed to clone 'https://git.example.com/repo.git': 401");
  });
});
