import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder, parseFlags, postFluxEvent } from '@flux-ts/runtime';
import type { FluxEvent, KubeObject } from '@flux-ts/runtime';
import { capturedLogger, startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { createNotificationController } from './controller.ts';
import type { NotificationController } from './controller.ts';
import { notificationControllerFlags } from './flags.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const NotificationV1beta3 = 'notification.toolkit.fluxcd.io/v1beta3';
const REVISION = 'main@sha1:4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c';
const MESSAGE =
  'Deployment/apps/webapp dry-run failed: Deployment.apps "webapp" is invalid: spec.selector: field is immutable';

type EventObj = KubeObject & {
  reason?: string;
  message?: string;
  type?: string;
  involvedObject?: { kind?: string; name?: string };
};

describe('notification-controller event server against the API server', () => {
  let env: TestEnv;
  let generic: Sink;
  let slack: Sink;
  let controller: NotificationController;
  let eventsURL: string;
  const stop = new AbortController();
  let running: Promise<void>;
  const { logger, lines } = capturedLogger();
  const genericPath = '/generic/s3cr3t-generic-path';
  const slackPath = '/services/T0000/B0000/XXXXs3cr3tSLACK';
  let kustomization: KubeObject;

  beforeAll(async () => {
    env = await startTestEnv({ namespaces: ['flux-system', 'apps'], dirPrefix: 'notification-events-' });
    generic = await startSink();
    slack = await startSink();
    const { client } = env;
    const create = (o: Record<string, unknown>) => client.create(o as unknown as KubeObject);
    await create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'generic-webhook', namespace: 'apps' },
      data: { address: b64(`${generic.url}${genericPath}`), headers: b64('X-Env: test\n') },
    });
    await create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'slack-webhook', namespace: 'apps' },
      data: { address: b64(`${slack.url}${slackPath}`) },
    });
    await create({
      apiVersion: NotificationV1beta3,
      kind: 'Provider',
      metadata: { name: 'generic', namespace: 'apps' },
      spec: { type: 'generic', secretRef: { name: 'generic-webhook' }, timeout: '5s' },
    });
    await create({
      apiVersion: NotificationV1beta3,
      kind: 'Provider',
      metadata: { name: 'slack', namespace: 'apps' },
      spec: { type: 'slack', channel: 'flux', secretRef: { name: 'slack-webhook' } },
    });
    await create({
      apiVersion: NotificationV1beta3,
      kind: 'Alert',
      metadata: { name: 'generic', namespace: 'apps' },
      spec: {
        providerRef: { name: 'generic' },
        eventSeverity: 'error',
        eventSources: [{ kind: 'Kustomization', name: '*' }],
      },
    });
    await create({
      apiVersion: NotificationV1beta3,
      kind: 'Alert',
      metadata: { name: 'slack', namespace: 'apps' },
      spec: {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'Kustomization', name: 'webapp' }],
        eventMetadata: { cluster: 'test' },
      },
    });
    kustomization = await create({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'webapp', namespace: 'apps', annotations: { 'event.toolkit.fluxcd.io/team': 'web' } },
      spec: { interval: '10m', path: './deploy', prune: true, sourceRef: { kind: 'GitRepository', name: 'repo' } },
    });

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
      runtimeNamespace: 'flux-system',
      logger,
    });
    running = controller.run(stop.signal);
    eventsURL = (await controller.eventServerAddress()).url;
  }, 90_000);

  afterAll(async () => {
    stop.abort();
    await running;
    await generic?.close();
    await slack?.close();
    await env?.close();
  }, 30_000);

  it(
    "a Kustomization failure posted by the runtime's recorder reaches the generic and Slack sinks with Flux's payloads",
    { timeout: 60_000 },
    async () => {
      const recorder = new EventRecorder({
        reportingController: 'kustomize-controller',
        reportingInstance: 'kustomize-controller-0',
        client: env.client,
        eventsAddr: eventsURL,
        retries: 0,
      });
      await recorder.event(kustomization, {
        type: 'Warning',
        reason: 'ReconciliationFailed',
        message: MESSAGE,
        metadata: { revision: REVISION },
      });
      await until('both sinks received the event', () => generic.requests.length === 1 && slack.requests.length === 1);

      const g = generic.requests[0]!;
      expect(g.method).toBe('POST');
      expect(g.url).toBe(genericPath);
      expect(g.headers['content-type']).toBe('application/json');
      expect(g.headers['gotk-component']).toBe('kustomize-controller');
      expect(g.headers['x-env']).toBe('test');
      expect(g.json).toEqual({
        involvedObject: {
          kind: 'Kustomization',
          namespace: 'apps',
          name: 'webapp',
          uid: kustomization.metadata.uid,
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        },
        severity: 'error',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        message: MESSAGE,
        reason: 'ReconciliationFailed',
        metadata: { revision: REVISION, team: 'web' },
        reportingController: 'kustomize-controller',
        reportingInstance: 'kustomize-controller-0',
      });
      // Go's encoding/json field order
      expect(Object.keys(g.json as object)).toEqual([
        'involvedObject',
        'severity',
        'timestamp',
        'message',
        'reason',
        'metadata',
        'reportingController',
        'reportingInstance',
      ]);

      const s = slack.requests[0]!;
      expect(s.url).toBe(slackPath);
      expect(s.json).toEqual({
        channel: 'flux',
        username: 'kustomize-controller',
        icon_url: '',
        icon_emoji: '',
        attachments: [
          {
            color: 'danger',
            author_name: 'kustomization/webapp.apps',
            text: MESSAGE,
            mrkdwn_in: ['text'],
            fields: [
              { title: 'cluster', value: 'test', short: false },
              { title: 'revision', value: REVISION, short: false },
              { title: 'team', value: 'web', short: false },
            ],
          },
        ],
      });
    },
  );

  it('the same event again within the window is answered 429 and sent once', { timeout: 60_000 }, async () => {
    const again: FluxEvent = {
      involvedObject: {
        kind: 'Kustomization',
        namespace: 'apps',
        name: 'webapp',
        uid: kustomization.metadata.uid,
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      },
      severity: 'error',
      timestamp: '2030-01-01T00:00:00Z',
      message: MESSAGE,
      reason: 'ReconciliationFailed',
      metadata: { 'kustomize.toolkit.fluxcd.io/revision': REVISION, 'event.toolkit.fluxcd.io/team': 'web' },
      reportingController: 'kustomize-controller',
    };
    const res = await postFluxEvent(eventsURL, again, { retries: 0 });
    expect(res).toEqual({ ok: true, status: 429, attempts: 1 });
    const other = await postFluxEvent(eventsURL, { ...again, message: 'health check failed' }, { retries: 0 });
    expect(other.status).toBe(202);
    await (await controller.eventServer()).dispatcher.idle();
    expect(generic.requests.filter((r) => (r.json as FluxEvent).message === MESSAGE)).toHaveLength(1);
    expect(slack.requests.filter((r) => JSON.stringify(r.json).includes('immutable'))).toHaveLength(1);
    expect(generic.requests).toHaveLength(2);
  });

  it(
    'a failed dispatch is a Warning NotificationDispatchFailed event on the Alert, without the webhook URL',
    { timeout: 60_000 },
    async () => {
      generic.respond(400, '{"error":"bad request"}');
      const res = await postFluxEvent(
        eventsURL,
        {
          involvedObject: {
            kind: 'Kustomization',
            namespace: 'apps',
            name: 'webapp',
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          },
          severity: 'error',
          timestamp: '2030-01-01T00:00:00Z',
          message: 'dependency not ready',
          reason: 'DependencyNotReady',
          reportingController: 'kustomize-controller',
        },
        { retries: 0 },
      );
      expect(res.status).toBe(202);
      const ev = await until('NotificationDispatchFailed on Alert apps/generic', async () => {
        const list = await env.client.list<EventObj>({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'apps' });
        return list.items.find(
          (e) =>
            e.reason === 'NotificationDispatchFailed' &&
            e.involvedObject?.kind === 'Alert' &&
            e.involvedObject.name === 'generic',
        );
      });
      expect(ev.type).toBe('Warning');
      expect(ev.message).toMatch(/^failed to send notification for Kustomization\/apps\/webapp: /);
      expect(ev.message).not.toContain('s3cr3t');
      generic.respond(200);
    },
  );

  it('no webhook URL or secret in any log line or Kubernetes Event', { timeout: 30_000 }, async () => {
    await (await controller.eventServer()).dispatcher.idle();
    const events = await env.client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'apps' });
    const all = lines.join('') + JSON.stringify(events.items);
    expect(lines.length).toBeGreaterThan(0);
    // the notifiers name the host of a failing endpoint (public, as hooks.slack.com); the path is the secret part
    for (const secret of [
      's3cr3t-generic-path',
      'XXXXs3cr3tSLACK',
      `${generic.url}${genericPath}`,
      `${slack.url}${slackPath}`,
    ]) {
      expect(all).not.toContain(secret);
    }
  });

  it(
    'removes the legacy finalizer of an Alert (Migration event) and adds it to a Provider',
    { timeout: 60_000 },
    async () => {
      const { client } = env;
      await client.create({
        apiVersion: NotificationV1beta3,
        kind: 'Alert',
        metadata: { name: 'legacy', namespace: 'apps', finalizers: ['finalizers.fluxcd.io'] },
        spec: { providerRef: { name: 'generic' }, eventSources: [{ kind: 'GitRepository', name: '*' }] },
      } as KubeObject);
      await until('legacy Alert finalizer removed', async () => {
        const a = await client.get(
          { apiVersion: NotificationV1beta3, kind: 'Alert' },
          { namespace: 'apps', name: 'legacy' },
        );
        return (a.metadata.finalizers ?? []).length === 0;
      });
      const migration = await until('Migration event', async () => {
        const list = await client.list<EventObj>({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'apps' });
        return list.items.find((e) => e.reason === 'Migration' && e.involvedObject?.name === 'legacy');
      });
      expect(migration).toMatchObject({
        type: 'Normal',
        message: 'removed finalizer from Alert to migrate to static Alert',
      });
      const p = await until('Provider finalizer added', async () => {
        const o = await client.get(
          { apiVersion: NotificationV1beta3, kind: 'Provider' },
          { namespace: 'apps', name: 'slack' },
        );
        return (o.metadata.finalizers ?? []).includes('finalizers.fluxcd.io') ? o : undefined;
      });
      expect(p.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
    },
  );
});
