import { afterEach, describe, expect, it } from 'vitest';
import { NotifierError } from '../types.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { datadogNotifier, toDataDogEvent, toDataDogTags } from './datadog.ts';
import { deps, rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

describe('datadog', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('posts the event to /api/v1/events with the API key (upstream TestDataDogPost)', async () => {
    sink = await startSink();
    const n = datadogNotifier(settings('datadog', { address: `${sink.url}/ignored/path`, token: 'sdfsdf' }), deps);
    await n.post(testEvent(), signal());
    const r = sink.requests[0]!;
    expect(r.url).toBe('/api/v1/events');
    expect(r.headers['dd-api-key']).toBe('sdfsdf');
    expect(r.body).toBe(
      '{"alert_type":"info","date_happened":1577836800,"source_type_name":"fluxcd",' +
        '"tags":["flux_reporting_controller:source-controller","flux_reason:reason","kube_kind:gitrepository",' +
        '"kube_name:webapp","kube_namespace:gitops-system","test:metadata"],"text":"message",' +
        '"title":"Events from the GitRepository webapp/gitops-system"}',
    );
  });

  it('maps errors to the error alert type and lower-cases every tag (upstream TestToDataDogTags)', () => {
    const e = testEvent({ severity: 'error', reason: 'BuildFailed', metadata: { Env: 'PROD', a: 'b' } });
    expect(toDataDogEvent(e).alert_type).toBe('error');
    expect(toDataDogTags(e)).toEqual([
      'flux_reporting_controller:source-controller',
      'flux_reason:buildfailed',
      'kube_kind:gitrepository',
      'kube_name:webapp',
      'kube_namespace:gitops-system',
      'env:prod',
      'a:b',
    ]);
  });

  it('fails on a 403 without the key in the error', async () => {
    sink = await startSink();
    sink.respond(403, '{"errors":["Forbidden"]}');
    const n = datadogNotifier(settings('datadog', { address: sink.url, token: 'ap1-k3y' }), deps);
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err).toBeInstanceOf(NotifierError);
    expect(err.message).toMatch(/^failed to post event to DataDog: .*status code 403/);
    expect(err.message).not.toContain('ap1-k3y');
  });

  it('validates the token and address at creation (upstream TestDataDogProviderErrors)', () => {
    expect(
      thrown(() => datadogNotifier(settings('datadog', { address: 'https://api.datadoghq.com' }), deps)).message,
    ).toBe('token cannot be empty');
    const bad = thrown(() => datadogNotifier(settings('datadog', { address: 'https://bad url :)', token: 't' }), deps));
    expect(bad.message).toBe('failed to parse address');
  });
});
