import { afterEach, describe, expect, it } from 'vitest';
import { NotifierError } from './types.ts';
import { postMessage, redactURL, sendRequest } from './http.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';

const t = { timeoutMs: 5000, headers: { 'X-From-Secret': 'a', 'X-Both': 'secret' } };

describe('sendRequest', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('sends JSON with the secret headers, request headers winning', async () => {
    sink = await startSink();
    const res = await sendRequest(
      {
        url: `${sink.url}/hook?x=1`,
        headers: { 'X-Both': 'request' },
        body: { a: 1 },
        signal: AbortSignal.timeout(5000),
      },
      t,
    );
    expect(res.status).toBe(200);
    expect(sink.requests).toHaveLength(1);
    const [r] = sink.requests;
    expect(r!.method).toBe('POST');
    expect(r!.url).toBe('/hook?x=1');
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers['x-from-secret']).toBe('a');
    expect(r!.headers['x-both']).toBe('request');
    expect(r!.json).toEqual({ a: 1 });
  });

  it('names only the host when the connection fails', async () => {
    sink = await startSink();
    const url = sink.url.replace('http://', 'http://user:pass@') + '/token/s3cr3t';
    await sink.close();
    const err = await sendRequest({ url, body: {}, signal: AbortSignal.timeout(5000) }, t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotifierError);
    expect(String((err as Error).message)).not.toMatch(/s3cr3t|pass/);
  });
});

describe('postMessage', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('rejects a non-2xx answer with its status and no path', async () => {
    sink = await startSink();
    sink.respond(500, 'boom');
    const err = await postMessage(
      { url: `${sink.url}/T000/B000/s3cr3t`, body: {}, signal: AbortSignal.timeout(5000) },
      t,
    ).catch((e: unknown) => e as Error);
    expect((err as Error).message).toBe(`request to ${sink.url} failed with status code 500: boom`);
  });

  it('redacts URLs to scheme and host', () => {
    expect(redactURL('https://u:p@hooks.slack.com/services/T/B/X?a=b')).toBe('https://hooks.slack.com');
    expect(redactURL('not a url')).toBe('<invalid URL>');
  });
});
