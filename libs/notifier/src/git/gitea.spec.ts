import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { deps, gitSettings, SHA, sig, testEvent, TOKEN } from './fixtures.spec-helper.ts';
import { duplicateGiteaStatus, toGiteaState } from './gitea.ts';

describe('gitea helpers', () => {
  it('maps Progressing to pending and severities as upstream', () => {
    expect(toGiteaState({ reason: 'Progressing', severity: 'info' })).toBe('pending');
    expect(toGiteaState({ reason: 'ReconciliationSucceeded', severity: 'info' })).toBe('success');
    expect(toGiteaState({ reason: 'BuildFailed', severity: 'error' })).toBe('failure');
    expect(() => toGiteaState({ reason: 'X', severity: 'trace' })).toThrow("can't convert to gitea state");
  });

  it('compares with the latest status of the same context', () => {
    const s = { state: 'success', context: 'c', description: 'd' };
    expect(duplicateGiteaStatus([{ status: 'success', context: 'c', description: 'd' }], s)).toBe(true);
    expect(duplicateGiteaStatus([{ status: 'failure', context: 'c', description: 'd' }], s)).toBe(false);
    expect(duplicateGiteaStatus([{ status: 'success', context: 'x', description: 'd' }], s)).toBe(false);
  });

  it('validates the token and the repository at creation', () => {
    expect(() =>
      createNotifier(gitSettings('gitea', 'https://gitea.example.com/foo/bar', { token: '' }), deps),
    ).toThrow('gitea token cannot be empty');
    expect(() => createNotifier(gitSettings('gitea', 'https://gitea.example.com/foo'), deps)).toThrow(
      'invalid repository id "foo"',
    );
  });
});

describe('gitea notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('posts a pending status for a Progressing event after listing the statuses', async () => {
    sink = await startSink();
    sink.handle((r) => ({ status: r.method === 'GET' ? 200 : 201, body: r.method === 'GET' ? '[]' : '{}' }));
    await createNotifier(gitSettings('gitea', `${sink.url}/foo/bar.git`), deps).post(
      testEvent({ reason: 'Progressing' }),
      sig(),
    );
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /api/v1/repos/foo/bar/commits/${SHA}/statuses?limit=50&page=1`,
      `POST /api/v1/repos/foo/bar/statuses/${SHA}`,
    ]);
    expect(sink.requests[1]!.headers.authorization).toBe(`token ${TOKEN}`);
    expect(sink.requests[1]!.body).toBe(
      JSON.stringify({
        state: 'pending',
        target_url: '',
        description: 'progressing',
        context: 'kustomization/webapp/0c9c2e41',
      }),
    );
  });

  it('skips an unchanged status and keeps the token out of errors', async () => {
    sink = await startSink();
    sink.respond(
      200,
      JSON.stringify([
        { status: 'success', context: 'kustomization/webapp/0c9c2e41', description: 'reconciliation succeeded' },
      ]),
    );
    const n = createNotifier(gitSettings('gitea', `${sink.url}/foo/bar`), deps);
    await n.post(testEvent(), sig());
    expect(sink.requests).toHaveLength(1);
    sink.respond(500, 'internal');
    const err = (await n.post(testEvent(), sig()).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `could not list commit statuses: request to ${sink.url} failed with status code 500: internal`,
    );
    expect(err.message).not.toContain(TOKEN);
  });
});
