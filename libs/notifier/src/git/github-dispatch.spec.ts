import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { deps, gitSettings, sig, testEvent, TOKEN } from './fixtures.spec-helper.ts';

describe('githubdispatch notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('sends a repository_dispatch with the event as client_payload', async () => {
    sink = await startSink();
    sink.respond(204, '');
    const event = testEvent();
    await createNotifier(gitSettings('githubdispatch', `${sink.url}/foo/bar`), deps).post(event, sig());
    expect(sink.requests).toHaveLength(1);
    const [r] = sink.requests;
    expect(`${r!.method} ${r!.url}`).toBe('POST /api/v3/repos/foo/bar/dispatches');
    expect(r!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(r!.json).toEqual({ event_type: 'Kustomization/webapp.flux-system', client_payload: event });
    expect(
      r!.body.startsWith('{"event_type":"Kustomization/webapp.flux-system","client_payload":{"involvedObject"'),
    ).toBe(true);
  });

  it('skips commit status update events', async () => {
    sink = await startSink();
    const n = createNotifier(gitSettings('githubdispatch', `${sink.url}/foo/bar`), deps);
    await n.post(testEvent({ metadata: { commit_status: 'update' } }), sig());
    expect(sink.requests).toHaveLength(0);
  });

  it('reports a failed dispatch without the token', async () => {
    sink = await startSink();
    sink.respond(404, '{"message":"Not Found"}');
    const n = createNotifier(gitSettings('githubdispatch', `${sink.url}/foo/bar`), deps);
    const err = (await n.post(testEvent(), sig()).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `Could not send github repository dispatch webhook: request to ${sink.url} failed with status code 404: {"message":"Not Found"}`,
    );
    expect(err.message).not.toContain(TOKEN);
  });

  it('validates the address at creation', () => {
    expect(() => createNotifier(gitSettings('githubdispatch', 'https://github.com/foo'), deps)).toThrow(
      'invalid repository id "foo"',
    );
  });
});
