import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { main } from './main.ts';

describe('notification-controller main against the API server', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ namespaces: ['flux-system'], dirPrefix: 'notification-main-' });
  }, 60_000);
  afterAll(async () => env?.close(), 30_000);

  it('runs the manager and the event server until stopped, exit 0', { timeout: 60_000 }, async () => {
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    const stop = new AbortController();
    const exit = main(
      [
        '--kubeconfig',
        env.kubeconfigPath,
        '--events-addr=127.0.0.1:0',
        '--receiverAddr=127.0.0.1:0',
        '--metrics-addr=127.0.0.1:0',
        '--health-addr=127.0.0.1:0',
      ],
      { HOME: env.dir, RUNTIME_NAMESPACE: 'flux-system' },
      io,
      { signal: stop.signal },
    );
    let url: string;
    try {
      url = await until(
        'the event server address in the log',
        () => /"address":"(http:[^"]+)","msg":"starting event server"/.exec(out)?.[1],
      );
      const res = await fetch(url, {
        method: 'POST',
        body: '{"involvedObject":{},"severity":"info","message":"m","reason":"r"}',
      });
      expect(res.status).toBe(202);
    } finally {
      stop.abort();
    }
    expect(await exit).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('"controller":"alert"');
    expect(out).toContain('"msg":"event server stopped"');
  });
});
