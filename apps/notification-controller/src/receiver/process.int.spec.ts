// The Receiver half of the whole notification-controller process (createNotificationController from parsed flags):
// a Receiver turns Ready and a signed generic-hmac call on --receiverAddr annotates its GitRepository.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newLogger, parseFlags } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { createNotificationController } from '../controller.ts';
import type { NotificationController } from '../controller.ts';
import { notificationControllerFlags } from '../flags.ts';
import { receiverGVK, webhookPathFor } from './reconciler.ts';
import type { ReceiverObject } from './reconciler.ts';

const ns = 'flux-system';

describe('notification-controller process: receivers', () => {
  let env: TestEnv;
  let controller: NotificationController;
  const stop = new AbortController();
  let running: Promise<void>;

  beforeAll(async () => {
    env = await startTestEnv({ namespaces: [ns], dirPrefix: 'notification-receivers-' });
    const config = parseFlags(
      notificationControllerFlags,
      [
        '--events-addr=127.0.0.1:0',
        '--receiverAddr=127.0.0.1:0',
        '--metrics-addr=127.0.0.1:0',
        '--health-addr=127.0.0.1:0',
        '--enable-leader-election=false',
      ],
      {},
    );
    controller = createNotificationController(config, {
      kubeConfig: env.kubeConfig,
      runtimeNamespace: ns,
      logger: newLogger({ level: 'silent' }),
    });
    running = controller.run(stop.signal);
  }, 90_000);
  afterAll(async () => {
    stop.abort();
    await running;
    await env?.close();
  }, 30_000);

  it('serves a Ready Receiver on --receiverAddr', { timeout: 60_000 }, async () => {
    const create = (o: Record<string, unknown>) => env.client.create(o as unknown as KubeObject);
    await create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'hook', namespace: ns },
      stringData: { token: 't0k' },
    });
    await create({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'flux-system', namespace: ns },
      spec: { interval: '10m', url: 'https://example.com/fleet.git' },
    });
    await create({
      ...receiverGVK,
      metadata: { name: 'push', namespace: ns },
      spec: {
        type: 'generic-hmac',
        secretRef: { name: 'hook' },
        resources: [{ kind: 'GitRepository', name: 'flux-system' }],
      },
    });
    const path = webhookPathFor('t0k', 'push', ns);
    await until('Receiver Ready', async () => {
      const r = await env.client.get<ReceiverObject>(receiverGVK, { namespace: ns, name: 'push' });
      return r.status?.webhookPath === path &&
        r.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        ? r
        : undefined;
    });
    const { url } = await controller.receiverServerAddress();
    const body = '{"ref":"refs/heads/main"}';
    const res = await fetch(new URL(path, url), {
      method: 'POST',
      body,
      headers: { 'x-signature': `sha1=${createHmac('sha1', 't0k').update(body).digest('hex')}` },
    });
    expect(res.status).toBe(200);
    const repo = await env.client.get(
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
      { namespace: ns, name: 'flux-system' },
    );
    expect(repo.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toBeDefined();
  });
});
