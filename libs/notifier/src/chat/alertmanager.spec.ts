import { afterEach, describe, expect, it } from 'vitest';
import { NotifierError } from '../types.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { alertmanagerNotifier, titleCase, toAlertManagerAlerts } from './alertmanager.ts';
import { deps, rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

describe('alertmanager', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('posts one firing alert (upstream TestAlertmanager_Post)', async () => {
    sink = await startSink();
    const n = alertmanagerNotifier(settings('alertmanager', { address: `${sink.url}/api/v2/alerts` }), deps);
    await n.post(testEvent({ metadata: { test: 'metadata', summary: 'Cluster addons impacted' } }), signal());
    const r = sink.requests[0]!;
    expect(r.url).toBe('/api/v2/alerts');
    expect(r.body).toBe(
      '[{"status":"firing","labels":{"alertname":"FluxGitRepositoryReason","kind":"GitRepository",' +
        '"name":"webapp","namespace":"gitops-system","reason":"reason","reportingcontroller":"source-controller",' +
        '"severity":"info","test":"metadata"},"annotations":{"message":"message","summary":"Cluster addons impacted"},' +
        '"startsAt":"2020-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z"}]',
    );
  });

  it('title-cases the reason like cases.Title (the rest of the word lower-cased)', () => {
    expect(titleCase('ReconciliationSucceeded')).toBe('Reconciliationsucceeded');
    expect(titleCase('health check failed')).toBe('Health Check Failed');
    const [a] = toAlertManagerAlerts(testEvent({ reason: 'BuildFailed', metadata: undefined }));
    expect(a!.labels.alertname).toBe('FluxGitRepositoryBuildfailed');
    expect(a!.annotations).toEqual({ message: 'message' });
  });

  it('lets Flux labels win over metadata keys of the same name', () => {
    const [a] = toAlertManagerAlerts(testEvent({ metadata: { severity: 'x', env: 'prod' } }));
    expect(a!.labels.severity).toBe('info');
    expect(a!.labels.env).toBe('prod');
  });

  it('sends the bearer token, or basic auth', async () => {
    sink = await startSink();
    await alertmanagerNotifier(settings('alertmanager', { address: sink.url, token: 'tok' }), deps).post(
      testEvent(),
      signal(),
    );
    await alertmanagerNotifier(
      settings('alertmanager', { address: sink.url, token: 'tok', username: 'u', password: 'p' }),
      deps,
    ).post(testEvent(), signal());
    expect(sink.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok', 'Basic dTpw']);
  });

  it('validates the URL at creation and keeps secrets out of errors', async () => {
    expect(thrown(() => alertmanagerNotifier(settings('alertmanager', { address: '' }), deps))).toBeInstanceOf(
      NotifierError,
    );
    sink = await startSink();
    sink.respond(500, 'boom');
    const n = alertmanagerNotifier(settings('alertmanager', { address: `${sink.url}/s3cr3t`, password: 'pw' }), deps);
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err.message).toMatch(/^postMessage failed: .*status code 500/);
    expect(err.message).not.toContain('s3cr3t');
  });
});
