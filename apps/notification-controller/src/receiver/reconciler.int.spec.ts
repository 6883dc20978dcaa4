// The Receiver controller and the receiver server against libs/apiserver over HTTPS, the server over real HTTP:
// status.webhookPath and Ready, a missing Secret, a rotated token (the Secret watch), a stalled CEL filter, and a
// GitHub-style push signed with HMAC that annotates a GitRepository (no source-controller needed to see it).
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache, Manager, newLogger } from '@flux-ts/runtime';
import type { BoundAddress, EventObject, KubeObject, RecordEvent } from '@flux-ts/runtime';
import { kstatusViolations, startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { receiverReadyCondition } from './conditions.ts';
import { receiverGVK, webhookPathFor } from './reconciler.ts';
import type { ReceiverObject } from './reconciler.ts';
import { setupReceivers } from './wiring.ts';

const ns = 'receivers';
const token = 'int-test-token';
const gitRepoGVK = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const watchLabel = { 'reconcile.fluxcd.io/watch': 'Enabled' };

type Cond = { type: string; status: string; reason: string; message: string };

function cond(o: ReceiverObject, type: string): Cond | undefined {
  return (o.status?.conditions as Cond[] | undefined)?.find((c) => c.type === type);
}

describe('Receiver controller and receiver server (integration)', () => {
  let env: TestEnv;
  const stop = new AbortController();
  let running: Promise<void>;
  let address: BoundAddress;
  const events: RecordEvent[] = [];

  beforeAll(async () => {
    env = await startTestEnv({ namespaces: [ns] });
    const logger = newLogger({ level: 'silent' });
    const cache = new Cache(env.client, { logger });
    const manager = new Manager({ client: env.client, cache, logger });
    const wired = setupReceivers({
      manager,
      cache,
      client: env.client,
      recorder: {
        event: async (_obj: EventObject, ev: RecordEvent) => {
          events.push(ev);
        },
      },
      logger,
      controllerName: 'notification-controller',
      receiverAddr: { host: '127.0.0.1', port: 0 },
      noCrossNamespaceRefs: false,
      watchConfigsLabelSelector: 'reconcile.fluxcd.io/watch=Enabled',
    });
    running = manager.start(stop.signal);
    address = await wired.address;
  }, 60_000);
  afterAll(async () => {
    stop.abort();
    await running?.catch(() => undefined);
    await env?.close();
  });

  const getReceiver = (name: string) => env.client.get<ReceiverObject>(receiverGVK, { namespace: ns, name });
  const createSecret = (name: string, value: string) =>
    env.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: ns, labels: watchLabel },
      stringData: { token: value },
    } as KubeObject);
  const createReceiver = (name: string, spec: Record<string, unknown>) =>
    env.client.create({ ...receiverGVK, metadata: { name, namespace: ns }, spec } as KubeObject);
  const readyWithPath = (name: string, path: string) =>
    until(`${name} Ready at ${path}`, async () => {
      const o = await getReceiver(name);
      return cond(o, 'Ready')?.status === 'True' && o.status?.webhookPath === path ? o : undefined;
    });

  it('publishes status.webhookPath and Ready with Flux message, kstatus-conformant', { timeout: 60_000 }, async () => {
    await createSecret('token-a', token);
    await createReceiver('ready', {
      type: 'github',
      secretRef: { name: 'token-a' },
      resources: [{ kind: 'GitRepository', name: 'webapp' }],
    });
    const path = webhookPathFor(token, 'ready', ns);
    const obj = await readyWithPath('ready', path);
    expect(path).toMatch(/^\/hook\/[0-9a-f]{64}$/);
    expect(cond(obj, 'Ready')).toMatchObject({
      reason: 'Succeeded',
      message: `Receiver initialized for path: ${path}`,
    });
    expect(obj.metadata.finalizers).toContain('finalizers.fluxcd.io');
    expect(obj.status?.observedGeneration).toBe(obj.metadata.generation);
    expect(kstatusViolations(obj, { negativePolarity: receiverReadyCondition.negativePolarity })).toEqual([]);
    await until('success event', async () =>
      events.find((e) => e.reason === 'Succeeded' && e.message === 'Reconciliation finished, next run in 10m0s'),
    );
  });

  it('reports a missing Secret as TokenNotFound, then follows a rotated token', { timeout: 60_000 }, async () => {
    await createReceiver('rotating', {
      type: 'generic',
      secretRef: { name: 'token-b' },
      resources: [{ kind: 'GitRepository', name: 'webapp' }],
    });
    const failed = await until('TokenNotFound', async () => {
      const o = await getReceiver('rotating');
      return cond(o, 'Ready')?.reason === 'TokenNotFound' ? o : undefined;
    });
    expect(cond(failed, 'Ready')).toMatchObject({
      status: 'False',
      message: expect.stringMatching(/^unable to read token from secret 'receivers\/token-b' error: /) as unknown,
    });
    expect(cond(failed, 'Reconciling')).toMatchObject({ status: 'True', reason: 'ProgressingWithRetry' });
    expect(failed.status?.webhookPath).toBeUndefined();
    await until('Failed event', async () => events.find((e) => e.type === 'Warning' && e.reason === 'Failed'));

    await createSecret('token-b', 'first');
    await readyWithPath('rotating', webhookPathFor('first', 'rotating', ns));
    // a Ready Receiver is requeued after 10m: only the Secret watch can bring the new path this soon
    const s = await env.client.get<KubeObject & { data?: Record<string, string> }>(
      { apiVersion: 'v1', kind: 'Secret' },
      { namespace: ns, name: 'token-b' },
    );
    await env.client.update({ ...s, data: { token: Buffer.from('second').toString('base64') } });
    await readyWithPath('rotating', webhookPathFor('second', 'rotating', ns));
  });

  it('stalls on a resourceFilter that does not parse', { timeout: 60_000 }, async () => {
    await createSecret('token-c', token);
    await createReceiver('bad-cel', {
      type: 'generic',
      secretRef: { name: 'token-c' },
      resourceFilter: 'res.metadata.name ==',
      resources: [{ kind: 'GitRepository', name: 'webapp' }],
    });
    const o = await until('Stalled', async () => {
      const r = await getReceiver('bad-cel');
      return cond(r, 'Stalled')?.status === 'True' ? r : undefined;
    });
    expect(cond(o, 'Stalled')?.reason).toBe('InvalidCELExpression');
    expect(cond(o, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidCELExpression' });
    expect(cond(o, 'Ready')?.message).toMatch(/^Reconciliation failed terminally due to configuration error: /);
  });

  it(
    'a GitHub push signed with HMAC reaches the receiver over HTTP and annotates the GitRepository',
    { timeout: 60_000 },
    async () => {
      await env.client.create({
        ...gitRepoGVK,
        metadata: { name: 'webapp', namespace: ns },
        spec: { interval: '10m', url: 'https://example.com/repo.git' },
      } as KubeObject);
      const path = webhookPathFor(token, 'ready', ns);
      await readyWithPath('ready', path);
      const url = new URL(path, address.url);
      const body = JSON.stringify({ ref: 'refs/heads/main', after: '0123456789abcdef' });
      const forged = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-hub-signature-256': `sha256=${createHmac('sha256', 'not-the-token').update(body).digest('hex')}`,
        },
      });
      expect(forged.status).toBe(400);
      const missing = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      });
      expect(missing.status).toBe(400);
      const before = await env.client.get(gitRepoGVK, { namespace: ns, name: 'webapp' });
      expect(before.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toBeUndefined();

      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-hub-signature-256': `sha256=${createHmac('sha256', token).update(body).digest('hex')}`,
        },
      });
      expect(res.status).toBe(200);
      const after = await env.client.get(gitRepoGVK, { namespace: ns, name: 'webapp' });
      expect(after.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toMatch(
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/,
      );
      const unknown = await fetch(new URL('/hook/0123', address.url), { method: 'POST', body: '{}' });
      expect(unknown.status).toBe(404);
    },
  );

  it('answers 503 once the Receiver is suspended', { timeout: 60_000 }, async () => {
    const path = webhookPathFor(token, 'ready', ns);
    await env.client.patch(
      receiverGVK,
      { namespace: ns, name: 'ready' },
      { spec: { suspend: true } },
      { type: 'merge' },
    );
    await until('503', async () => {
      const res = await fetch(new URL(path, address.url), {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      return res.status === 503 ? true : undefined;
    });
  });
});
