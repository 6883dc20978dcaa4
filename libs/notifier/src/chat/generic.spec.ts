import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';

// Upstream forwarder_test.go: this key over testEvent() at 1664520029 gives this signature.
const hmacKey = '7152fed34dd6149a7c75a276c510da27cb6f82b0';
const upstreamSignature = 'sha256=65b018549b1254e7226d1c08f9567ee45bc9de0fc4e7b1a40253f9a018b08be7';
const upstreamBody =
  '{"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp"},"severity":"info",' +
  '"timestamp":"2022-09-30T06:40:29Z","message":"message","reason":"reason","metadata":{"test":"metadata"},' +
  '"reportingController":"source-controller","reportingInstance":"source-controller-xyz"}';

describe('generic', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it("posts the event as encoding/json writes it, with Gotk-Component and the secret's headers", async () => {
    const n = createNotifier(
      settingsFor('generic', { address: `${sink.url}/hook`, headers: { Authorization: 'token' } }),
    );
    await n.post(testEvent(), signal());
    expect(sink.requests).toHaveLength(1);
    const [r] = sink.requests;
    expect(r!.method).toBe('POST');
    expect(r!.url).toBe('/hook');
    expect(r!.body).toBe(upstreamBody);
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers['gotk-component']).toBe('source-controller');
    expect(r!.headers['authorization']).toBe('token');
    expect(r!.headers['x-signature']).toBeUndefined();
  });

  it('keeps a preset X-Signature header, sorts metadata and escapes HTML as Go does', async () => {
    const n = createNotifier(
      settingsFor('generic', { address: sink.url, headers: { 'X-Signature': 'should be preserved' } }),
    );
    await n.post(
      testEvent({ message: 'a <b> & c', metadata: { z: '1', a: '2' }, timestamp: '2022-09-30T06:40:29.750Z' }),
      signal(),
    );
    const [r] = sink.requests;
    expect(r!.headers['x-signature']).toBe('should be preserved');
    expect(r!.body).toContain('"timestamp":"2022-09-30T06:40:29Z","message":"a \\u003cb\\u003e \\u0026 c"');
    expect(r!.body).toContain('"metadata":{"a":"2","z":"1"}');
  });

  it('refuses an address that is not a URL without naming it', () => {
    expect(() => createNotifier(settingsFor('generic', { address: 's3cr3t-not-a-url' }))).toThrow(
      new NotifierError('invalid hook URL'),
    );
  });

  it('fails on a non-2xx answer without the webhook path', async () => {
    sink.respond(500, 'boom');
    const n = createNotifier(settingsFor('generic', { address: `${sink.url}/hooks/s3cr3t` }));
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err).toBeInstanceOf(NotifierError);
    expect(err.message).toBe(`postMessage failed: request to ${sink.url} failed with status code 500: boom`);
    expectNoSecret(err, 's3cr3t');
  });
});

describe('generic-hmac', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it("signs the exact body with the token, as upstream's test expects, over a preset X-Signature", async () => {
    const n = createNotifier(
      settingsFor('generic-hmac', {
        address: sink.url,
        token: hmacKey,
        headers: { Authorization: 'token', 'x-signature': 'should be overwritten with actual signature' },
      }),
    );
    await n.post(testEvent(), signal());
    const [r] = sink.requests;
    expect(r!.body).toBe(upstreamBody);
    expect(r!.headers['x-signature']).toBe(upstreamSignature);
    expect(r!.headers['gotk-component']).toBe('source-controller');
    expect(r!.headers['authorization']).toBe('token');
  });

  it('refuses an empty token', () => {
    expect(() => createNotifier(settingsFor('generic-hmac', { address: sink.url }))).toThrow(
      new NotifierError('HMAC key is empty'),
    );
  });

  it('keeps the token out of a failure', async () => {
    sink.respond(403, 'denied');
    const n = createNotifier(settingsFor('generic-hmac', { address: sink.url, token: hmacKey }));
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err.message).toContain('status code 403');
    expectNoSecret(err, hmacKey);
  });
});
