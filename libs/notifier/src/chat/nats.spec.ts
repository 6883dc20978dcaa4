import { describe, expect, it } from 'vitest';
import { NotifierError } from '../types.ts';
import { natsAuthenticator, newNatsNotifier } from './nats.ts';
import type { NatsPublish } from './nats.ts';
import { rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

function recorder(fail?: Error): { publish: NatsPublish; calls: { subject: string; payload: string }[] } {
  const calls: { subject: string; payload: string }[] = [];
  return {
    calls,
    publish: (subject, payload) => {
      calls.push({ subject, payload: new TextDecoder().decode(payload) });
      return fail ? Promise.reject(fail) : Promise.resolve();
    },
  };
}

describe('nats (injected connection)', () => {
  it('rejects an empty server or subject (upstream TestNewNATS)', () => {
    expect(thrown(() => newNatsNotifier(settings('nats', { channel: 'test' }))).message).toBe(
      'NATS server (address) cannot be empty',
    );
    expect(thrown(() => newNatsNotifier(settings('nats', { address: 'nats' }))).message).toBe(
      'NATS subject (channel) cannot be empty',
    );
  });

  it('publishes the event JSON as Go marshals it (upstream TestNATSPost)', async () => {
    const r = recorder();
    const n = newNatsNotifier(settings('nats', { address: 'nats://127.0.0.1:4222', channel: 'flux' }), r.publish);
    await n.post(testEvent({ metadata: { foo: 'bar' } }), signal());
    expect(r.calls).toEqual([
      {
        subject: 'flux',
        payload:
          '{"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp",' +
          '"apiVersion":"source.toolkit.fluxcd.io/v1"},"severity":"info","timestamp":"2020-01-01T00:00:00Z",' +
          '"message":"message","reason":"reason","metadata":{"foo":"bar"},"reportingController":"source-controller",' +
          '"reportingInstance":"source-controller-xyz"}',
      },
    ]);
  });

  it('wraps a publish error with the subject', async () => {
    const r = recorder(new Error('publish error'));
    const n = newNatsNotifier(settings('nats', { address: 'nats://x', channel: 'test' }), r.publish);
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err).toBeInstanceOf(NotifierError);
    expect(err.message).toBe('error publishing event to subject test: publish error');
  });

  it('picks creds, then nkey, then user/password', async () => {
    expect(await natsAuthenticator({ username: '', password: '' })).toBeUndefined();
    expect(await natsAuthenticator({ username: 'u', password: '' })).toBeUndefined();
    expect(await natsAuthenticator({ username: 'u', password: 'p' })).toBeTypeOf('function');
  });
});
