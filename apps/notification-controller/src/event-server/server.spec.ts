import { afterEach, describe, expect, it } from 'vitest';
import { NotificationEventReasons } from '@flux-ts/api';
import { MetadataConflictMessage } from './metadata.ts';
import { MessageTemplateAnnotation } from './message-template.ts';
import { MaxRequestSizeBytes, eventKey } from './event.ts';
import { alert, fixture, kustomizationEvent, provider, secret } from './test-fixtures.spec-helper.ts';
import type { Fixture } from './test-fixtures.spec-helper.ts';

let f: Fixture;
afterEach(async () => f?.server.app.close());

describe('event server: requests', () => {
  it('answers 202 with an empty body when no Alert matches', async () => {
    f = fixture();
    const res = await f.post(kustomizationEvent());
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    expect(f.posts).toEqual([]);
    expect(f.lines.join('')).toContain('discarding event, no alerts found for the involved object');
  });

  it('refuses a body over 3 MiB with 413', async () => {
    f = fixture();
    const res = await f.post(`{"message":"${'x'.repeat(MaxRequestSizeBytes)}"}`);
    expect(res.statusCode).toBe(413);
    expect(res.body).toBe('');
  });

  it.each([
    ['not JSON', '{"involvedObject":'],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['a number message', JSON.stringify({ ...kustomizationEvent(), message: 123 })],
    ['metadata with a number', JSON.stringify({ ...kustomizationEvent(), metadata: { a: 1 } })],
    ['no involvedObject', JSON.stringify({ severity: 'info', message: 'm', reason: 'r' })],
  ])('refuses %s with 400 and an empty body', async (_name, body) => {
    f = fixture();
    const res = await f.post(body);
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('');
    expect(f.lines.join('')).toContain('decoding the request body failed');
  });

  it('decodes the body whatever its content type, on any path, as upstream mux pattern "/"', async () => {
    f = fixture();
    f.alerts.push(alert('all'));
    const res = await f.server.app.inject({
      method: 'POST',
      url: '/some/path',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify(kustomizationEvent()),
    });
    await f.server.dispatcher.idle();
    expect(res.statusCode).toBe(202);
    expect(f.posts).toHaveLength(1);
  });

  it('answers 400 to a GET (no event in an empty body)', async () => {
    f = fixture();
    expect((await f.server.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(400);
  });
});

describe('event server: duplicate rate limiting', () => {
  it('answers 429 to the same event within --rate-limit-interval, and dispatches it once', async () => {
    f = fixture();
    f.alerts.push(alert('all'));
    expect((await f.post(kustomizationEvent())).statusCode).toBe(202);
    const second = await f.post(kustomizationEvent({ timestamp: '2026-12-07T10:00:30Z' }));
    expect(second.statusCode).toBe(429);
    expect(second.body).toBe('Too Many Requests\n');
    expect(second.headers['x-ratelimit-limit']).toBe('1');
    expect(second.headers['retry-after']).toBe('Mon, 07 Dec 2026 10:05:00 UTC');
    expect(f.posts).toHaveLength(1);
    f.clock.ms += 5 * 60_000;
    expect((await f.post(kustomizationEvent())).statusCode).toBe(202);
    expect(f.posts).toHaveLength(2);
  });

  it('keys on name, namespace, kind, message, originRevision, revision and token (Flux EventKey)', async () => {
    f = fixture();
    const base = kustomizationEvent();
    const md = base.metadata!;
    const variants = [
      kustomizationEvent({ message: 'other' }),
      kustomizationEvent({ metadata: { ...md, 'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:ff' } }),
      kustomizationEvent({ metadata: { ...md, 'kustomize.toolkit.fluxcd.io/token': 'tok-2' } }),
      kustomizationEvent({ metadata: { ...md, 'kustomize.toolkit.fluxcd.io/originRevision': 'v1' } }),
      kustomizationEvent({ involvedObject: { ...base.involvedObject, name: 'other' } }),
    ];
    const keys = new Set([base, ...variants].map(eventKey));
    expect(keys.size).toBe(6);
    // the severity, reason and timestamp are not part of the key
    expect(eventKey(kustomizationEvent({ severity: 'info', reason: 'X', timestamp: 'y' }))).toBe(eventKey(base));
    expect(eventKey(base)).toBe(
      // sha256("event/name=webapp/namespace=apps/kind=Kustomization/message=…/revision=…/token=tok-1")
      (await import('node:crypto'))
        .createHash('sha256')
        .update(
          'event/name=webapp/namespace=apps/kind=Kustomization/message=Deployment/apps/webapp dry-run failed: field is immutable/revision=main@sha1:0123456789abcdef0123456789abcdef01234567/token=tok-1',
        )
        .digest('hex'),
    );
    for (const v of variants) expect((await f.post(v)).statusCode).toBe(202);
  });
});

describe('event server: metadata', () => {
  it("keeps Flux's metadata keys only, drops checksum, digest and the token, and merges in Flux's precedence", async () => {
    f = fixture();
    f.alerts.push(alert('all', { eventMetadata: { cluster: 'prod', env: 'alert' }, summary: 'sum' }));
    await f.post(
      kustomizationEvent({
        metadata: {
          'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:0123',
          'kustomize.toolkit.fluxcd.io/token': 'tok',
          'kustomize.toolkit.fluxcd.io/checksum': 'c',
          'kustomize.toolkit.fluxcd.io/Digest': 'd',
          'event.toolkit.fluxcd.io/env': 'annotation',
          'event.toolkit.fluxcd.io/team': 'a-team',
          'other.example.com/x': 'y',
          plain: 'z',
        },
      }),
    );
    expect(f.posts).toHaveLength(1);
    expect(f.posts[0]!.event.metadata).toEqual({
      revision: 'main@sha1:0123',
      env: 'alert',
      team: 'a-team',
      cluster: 'prod',
      summary: 'sum',
    });
    expect(f.events).toEqual([
      expect.objectContaining({
        object: 'Alert/apps/all',
        type: 'Warning',
        reason: NotificationEventReasons.MetadataAppendFailed,
        message: MetadataConflictMessage,
        metadata: { env: 'involved object annotations, Alert object .spec.eventMetadata' },
      }),
    ]);
  });

  it('lets the controller metadata win over the Alert and the annotations', async () => {
    f = fixture();
    f.alerts.push(alert('all', { eventMetadata: { revision: 'alert' } }));
    await f.post(
      kustomizationEvent({
        metadata: { 'kustomize.toolkit.fluxcd.io/revision': 'ctrl', 'event.toolkit.fluxcd.io/revision': 'ann' },
      }),
    );
    expect(f.posts[0]!.event.metadata).toEqual({ revision: 'ctrl' });
  });
});

describe('event server: Alert matching', () => {
  const cases: [string, Parameters<typeof alert>[1], boolean][] = [
    ['a wildcard source in the Alert namespace', { eventSources: [{ kind: 'Kustomization', name: '*' }] }, true],
    ['the exact name', { eventSources: [{ kind: 'Kustomization', name: 'webapp' }] }, true],
    ['another name', { eventSources: [{ kind: 'Kustomization', name: 'other' }] }, false],
    ['another kind', { eventSources: [{ kind: 'GitRepository', name: '*' }] }, false],
    ['another namespace', { eventSources: [{ kind: 'Kustomization', name: '*', namespace: 'flux-system' }] }, false],
    ['an error Alert and an error event', { eventSeverity: 'error' }, true],
    ['a suspended Alert', { suspend: true }, false],
    ['a matching inclusion regex', { inclusionList: ['^nothing$', 'dry-run (failed|ok)'] }, true],
    ['no matching inclusion regex', { inclusionList: ['^nothing$'] }, false],
    ['a matching exclusion regex', { exclusionList: ['(?i)IMMUTABLE'] }, false],
    [
      'inclusion and exclusion both matching (exclusion wins)',
      { inclusionList: ['dry-run'], exclusionList: ['field'] },
      false,
    ],
  ];
  it.each(cases)('%s', async (_name, spec, matches) => {
    f = fixture();
    f.alerts.push(alert('a', spec));
    await f.post(kustomizationEvent());
    expect(f.posts).toHaveLength(matches ? 1 : 0);
  });

  it('an error Alert skips info events', async () => {
    f = fixture();
    f.alerts.push(alert('a', { eventSeverity: 'error' }));
    await f.post(kustomizationEvent({ severity: 'info' }));
    expect(f.posts).toEqual([]);
  });

  it('a bad regex is an InvalidConfig event on the Alert and matches nothing', async () => {
    f = fixture();
    f.alerts.push(alert('a', { exclusionList: ['a(?=b)'] }));
    await f.post(kustomizationEvent());
    expect(f.posts).toHaveLength(1);
    expect(f.events).toContainEqual(
      expect.objectContaining({ reason: 'InvalidConfig', message: 'failed to compile exclusion regex: a(?=b)' }),
    );
  });

  it('matchLabels reads the involved object and compares its labels', async () => {
    f = fixture();
    f.alerts.push(alert('a', { eventSources: [{ kind: 'Kustomization', name: '*', matchLabels: { team: 'web' } }] }));
    f.objects.set('Kustomization/apps/webapp', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'webapp', namespace: 'apps', labels: { team: 'web' } },
    });
    await f.post(kustomizationEvent());
    expect(f.posts).toHaveLength(1);
    f.objects.get('Kustomization/apps/webapp')!.metadata.labels = { team: 'db' };
    await f.post(kustomizationEvent({ message: 'again' }));
    expect(f.posts).toHaveLength(1);
    f.objects.clear();
    await f.post(kustomizationEvent({ message: 'gone' }));
    expect(f.events).toContainEqual(
      expect.objectContaining({
        reason: 'SourceFetchFailed',
        message: 'error getting source object Kustomization/apps/webapp',
      }),
    );
  });

  it('with --no-cross-namespace-refs an Alert does not take events of other namespaces', async () => {
    f = fixture({ noCrossNamespaceRefs: true });
    f.alerts.push(alert('a', { eventSources: [{ kind: 'Kustomization', name: '*', namespace: 'other' }] }));
    await f.post(
      kustomizationEvent({ involvedObject: { ...kustomizationEvent().involvedObject, namespace: 'other' } }),
    );
    expect(f.posts).toEqual([]);
    expect(f.events[0]).toMatchObject({
      reason: 'NotificationDispatchFailed',
      message:
        "failed to dispatch notification for Kustomization/other/webapp: discarding event, access denied to cross-namespace sources: alert 'apps/a' can't process event from 'Kustomization/other/webapp', cross-namespace references have been blocked",
    });
  });
});

describe('event server: Providers', () => {
  it('resolves the settings from the Provider and its Secrets, as upstream createNotifier', async () => {
    f = fixture();
    f.alerts.push(alert('a'));
    f.providers.set(
      'apps/sink',
      provider('sink', {
        type: 'slack',
        address: 'https://spec.example/hook',
        channel: 'ops',
        username: 'flux',
        timeout: '30s',
        secretRef: { name: 'auth' },
        proxySecretRef: { name: 'proxy' },
        certSecretRef: { name: 'tls' },
      }),
    );
    f.secrets.set(
      'apps/auth',
      secret('auth', {
        address: ' https://secret.example/hook/T0/B0/XYZ \n',
        token: 'xoxb-secret-token\n',
        headers: 'X-Team: web\nAuthorization: Bearer abc\n',
      }),
    );
    f.secrets.set(
      'apps/proxy',
      secret('proxy', { address: 'http://proxy.example:3128', username: 'u', password: 'p' }),
    );
    f.secrets.set('apps/tls', secret('tls', { 'ca.crt': 'CA PEM' }));
    await f.post(kustomizationEvent());
    expect(f.posts).toHaveLength(1);
    expect(f.posts[0]!.settings).toEqual({
      type: 'slack',
      address: 'https://secret.example/hook/T0/B0/XYZ',
      channel: 'ops',
      username: 'flux',
      token: 'xoxb-secret-token',
      password: '',
      headers: { 'X-Team': 'web', Authorization: 'Bearer abc' },
      proxy: 'http://u:p@proxy.example:3128/',
      tls: { ca: 'CA PEM' },
      timeoutMs: 30_000,
      provider: { name: 'sink', namespace: 'apps', uid: f.providers.get('apps/sink')!.metadata.uid },
      alert: { name: 'a', namespace: 'apps', uid: 'uid-a' },
    });
  });

  it('takes username and password from the Secret only together (basic auth)', async () => {
    f = fixture();
    f.alerts.push(alert('a'));
    f.providers.set('apps/sink', provider('sink', { username: 'spec-user', secretRef: { name: 'auth' } }));
    f.secrets.set('apps/auth', secret('auth', { username: 'only-user' }));
    await f.post(kustomizationEvent());
    expect(f.posts[0]!.settings).toMatchObject({ username: 'spec-user', password: '' });
    f.secrets.set('apps/auth', secret('auth', { username: 'basic', password: 'pw' }));
    await f.post(kustomizationEvent({ message: 'two' }));
    expect(f.posts[1]!.settings).toMatchObject({ username: 'basic', password: 'pw' });
  });

  it('skips a suspended Provider', async () => {
    f = fixture();
    f.alerts.push(alert('a'));
    f.providers.set('apps/sink', provider('sink', { suspend: true }));
    await f.post(kustomizationEvent());
    expect(f.posts).toEqual([]);
    expect(f.events).toEqual([]);
  });

  it('drops events without a commit for the commit-status types, and without change_request for the comment types', async () => {
    f = fixture();
    f.alerts.push(alert('a'));
    f.providers.set('apps/sink', provider('sink', { type: 'github', address: 'https://github.com/org/repo' }));
    await f.post(kustomizationEvent({ metadata: {} }));
    expect(f.posts).toEqual([]);
    expect(f.lines.join('')).toContain('event dropped for commit status providers due to missing commit metadata key');
    await f.post(kustomizationEvent());
    expect(f.posts).toHaveLength(1);

    f.providers.set(
      'apps/sink',
      provider('sink', { type: 'githubpullrequestcomment', address: 'https://github.com/org/repo' }),
    );
    await f.post(kustomizationEvent({ message: 'pr' }));
    expect(f.posts).toHaveLength(1);
    await f.post(kustomizationEvent({ message: 'pr', metadata: { 'event.toolkit.fluxcd.io/change_request': '42' } }));
    expect(f.posts).toHaveLength(2);
    expect(f.posts[1]!.event.metadata).toEqual({ change_request: '42' });
  });

  it('records NotificationDispatchFailed for a missing Provider or Secret, with no secret in it', async () => {
    f = fixture();
    f.alerts.push(alert('a', { providerRef: { name: 'missing' } }));
    await f.post(kustomizationEvent());
    expect(f.events[0]).toMatchObject({
      type: 'Warning',
      reason: 'NotificationDispatchFailed',
      message:
        'failed to dispatch notification for Kustomization/apps/webapp: failed to read provider: provider "missing" not found',
    });
    f.alerts[0] = alert('a');
    f.providers.set('apps/sink', provider('sink', { secretRef: { name: 'nope' } }));
    await f.post(kustomizationEvent({ message: 'two' }));
    expect(f.events[1]!.message).toBe(
      `failed to dispatch notification for Kustomization/apps/webapp: failed to get secret 'apps/nope': secrets "nope" not found`,
    );
  });

  it('masks the token, password and address in a failed post', async () => {
    f = fixture();
    f.alerts.push(alert('a'));
    f.providers.set('apps/sink', provider('sink', { secretRef: { name: 'auth' } }));
    f.secrets.set(
      'apps/auth',
      secret('auth', { address: 'https://hooks.example/T0/secret-path', token: 's3cr3t-token' }),
    );
    f.failWith.error = new Error(
      'postMessage failed: https://hooks.example/T0/secret-path answered 401 for token s3cr3t-token',
    );
    await f.post(kustomizationEvent());
    expect(f.events).toHaveLength(1);
    expect(f.events[0]).toMatchObject({
      type: 'Warning',
      reason: 'NotificationDispatchFailed',
      message:
        'failed to send notification for Kustomization/apps/webapp: postMessage failed: ***** answered 401 for token *****',
    });
    const all = JSON.stringify(f.events) + f.lines.join('');
    expect(all).not.toContain('s3cr3t-token');
    expect(all).not.toContain('secret-path');
  });

  it('refuses spec.serviceAccountName without the ObjectLevelWorkloadIdentity gate', async () => {
    f = fixture();
    f.alerts.push(alert('a'));
    f.providers.set('apps/sink', provider('sink', { serviceAccountName: 'sa' }));
    await f.post(kustomizationEvent());
    expect(f.events[0]!.message).toBe(
      'failed to dispatch notification for Kustomization/apps/webapp: to use spec.serviceAccountName for provider authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller',
    );
  });
});

describe('event server: message templates (flux-ts extension)', () => {
  it('renders the message from the Alert annotation with Go templates and Sprig', async () => {
    f = fixture();
    f.alerts.push(
      alert(
        'a',
        {},
        {
          annotations: {
            [MessageTemplateAnnotation]:
              '{{ .involvedObject.kind }}/{{ .involvedObject.name }} {{ .reason | upper }} at {{ .metadata.revision | trunc 14 }}: {{ .message }} ({{ .alert.name }})',
          },
        },
      ),
    );
    await f.post(kustomizationEvent());
    expect(f.posts[0]!.event.message).toBe(
      'Kustomization/webapp RECONCILIATIONFAILED at main@sha1:0123: Deployment/apps/webapp dry-run failed: field is immutable (a)',
    );
  });

  it('keeps the message without the annotation, and on a broken template records InvalidConfig', async () => {
    f = fixture();
    f.alerts.push(
      alert('plain'),
      alert('broken', {}, { annotations: { [MessageTemplateAnnotation]: '{{ .message ' } }),
    );
    await f.post(kustomizationEvent());
    expect(f.posts.map((p) => p.event.message)).toEqual([
      'Deployment/apps/webapp dry-run failed: field is immutable',
      'Deployment/apps/webapp dry-run failed: field is immutable',
    ]);
    expect(f.events).toContainEqual(expect.objectContaining({ object: 'Alert/apps/broken', reason: 'InvalidConfig' }));
  });
});

describe('event server: HTTP metrics', () => {
  it('records gotk_event_http_* per handler, method and code', async () => {
    const { Registry } = await import('prom-client');
    const registry = new Registry();
    f = fixture({ metricsRegistry: registry });
    await f.post(kustomizationEvent());
    await f.post(kustomizationEvent());
    await f.post('{');
    const text = await registry.metrics();
    expect(text).toContain(
      'gotk_event_http_request_duration_seconds_count{service="",handler="/",method="POST",code="202"} 1',
    );
    expect(text).toContain(
      'gotk_event_http_request_duration_seconds_count{service="",handler="/",method="POST",code="429"} 1',
    );
    expect(text).toContain(
      'gotk_event_http_response_size_bytes_count{service="",handler="/",method="POST",code="400"} 1',
    );
    expect(text).toContain('gotk_event_http_requests_inflight{service="",handler="/"} 0');
  });
});

describe('event server: other methods', () => {
  it.each(['PROPFIND', 'MKCOL', 'OPTIONS'] as const)('answers 400 to %s', async (method) => {
    f = fixture();
    expect((await f.server.app.inject({ method, url: '/x' })).statusCode).toBe(400);
  });
});
