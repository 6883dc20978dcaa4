import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { deps, gitSettings, SHA, sig, testEvent, TOKEN } from './fixtures.spec-helper.ts';
import { duplicateGitLabStatus, toGitLabState } from './gitlab.ts';

describe('gitlab helpers', () => {
  it('maps severities as upstream', () => {
    expect(toGitLabState('info')).toBe('success');
    expect(toGitLabState('error')).toBe('failed');
    expect(() => toGitLabState('trace')).toThrow("can't convert to gitlab state");
  });

  it('finds a duplicate among the listed statuses of the commit', () => {
    const s = { sha: SHA, status: 'success', description: 'd', name: 'n' };
    expect(duplicateGitLabStatus([{ ...s, status: 'failed' }, s], s)).toBe(true);
    expect(duplicateGitLabStatus([{ ...s, description: 'other' }], s)).toBe(false);
    expect(duplicateGitLabStatus([{ ...s, sha: 'b'.repeat(40) }], s)).toBe(false);
  });

  it('needs a token', () => {
    expect(() => createNotifier(gitSettings('gitlab', 'https://gitlab.com/foo/bar', { token: '' }), deps)).toThrow(
      'gitlab token cannot be empty',
    );
  });
});

describe('gitlab notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('lists the statuses of that name, then sets the commit status on the project path (subgroups escaped)', async () => {
    sink = await startSink();
    sink.handle((r) => ({ status: r.method === 'GET' ? 200 : 201, body: r.method === 'GET' ? '[]' : '{}' }));
    await createNotifier(gitSettings('gitlab', `${sink.url}/group/sub/project.git`), deps).post(testEvent(), sig());
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /api/v4/projects/group%2Fsub%2Fproject/repository/commits/${SHA}/statuses?name=kustomization%2Fwebapp%2F0c9c2e41`,
      `POST /api/v4/projects/group%2Fsub%2Fproject/statuses/${SHA}`,
    ]);
    expect(sink.requests[1]!.headers['private-token']).toBe(TOKEN);
    expect(sink.requests[1]!.body).toBe(
      JSON.stringify({
        state: 'success',
        name: 'kustomization/webapp/0c9c2e41',
        description: 'reconciliation succeeded',
      }),
    );
  });

  it('takes a numeric project ID and skips an unchanged status', async () => {
    sink = await startSink();
    sink.respond(
      200,
      JSON.stringify([
        { sha: SHA, status: 'failed', name: 'kustomization/webapp/0c9c2e41', description: 'health check failed' },
      ]),
    );
    const n = createNotifier(gitSettings('gitlab', `${sink.url}/4242`), deps);
    await n.post(testEvent({ severity: 'error', reason: 'HealthCheckFailed' }), sig());
    expect(sink.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      `GET /api/v4/projects/4242/repository/commits/${SHA}/statuses`,
    ]);
  });

  it('skips Progressing events and keeps the token out of errors', async () => {
    sink = await startSink();
    const n = createNotifier(gitSettings('gitlab', `${sink.url}/foo/bar`), deps);
    await n.post(testEvent({ reason: 'Progressing' }), sig());
    expect(sink.requests).toHaveLength(0);
    sink.respond(403, '{"message":"403 Forbidden"}');
    const err = (await n.post(testEvent(), sig()).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `unable to list commit status: request to ${sink.url} failed with status code 403: {"message":"403 Forbidden"}`,
    );
    expect(err.message).not.toContain(TOKEN);
  });
});
