import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier, prepareNotifier } from '../factory.ts';
import { NotifierError } from '../types.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { deps, gitSettings, PROVIDER_UID, SHA, sig, testEvent, TOKEN } from './fixtures.spec-helper.ts';
import { duplicateGitHubStatus, githubNotifier, toGitHubState } from './github.ts';
import { newGitHubClient } from './github-client.ts';

describe('github client', () => {
  it('talks to api.github.com for github.com and to <host>/api/v3 for GitHub Enterprise', () => {
    const gh = newGitHubClient(gitSettings('github', 'https://github.com/foo/bar'));
    expect([gh.owner, gh.repo, gh.apiBase]).toEqual(['foo', 'bar', 'https://api.github.com']);
    const ghe = newGitHubClient(gitSettings('github', 'git@ghe.example.com:foo/bar.git'));
    expect(ghe.apiBase).toBe('https://ghe.example.com/api/v3');
  });

  it('validates the token and the repository at creation', () => {
    expect(() => githubNotifier(gitSettings('github', 'https://github.com/foo/bar', { token: '' }), deps)).toThrow(
      'github token or github app details must be specified',
    );
    expect(() => githubNotifier(gitSettings('github', 'https://github.com/foo/bar/baz'), deps)).toThrow(
      'invalid repository id "foo/bar/baz"',
    );
    // the Secret's password stands in for a missing token, as upstream
    expect(
      githubNotifier(gitSettings('github', 'https://github.com/foo/bar', { token: '', password: 'p' }), deps),
    ).toBeDefined();
  });
});

describe('duplicateGitHubStatus (upstream TestDuplicateGithubStatus)', () => {
  const st = (state: string, context: string, description: string) => ({ state, context, description });
  it.each([
    [[st('success', 'foo', 'bar')], st('success', 'foo', 'bar'), true],
    [[st('success', 'foo', 'bar')], st('failure', 'foo', 'bar'), false],
    [[st('success', 'foo', 'bar')], st('success', 'baz', 'bar'), false],
    [[st('success', 'foo', 'bar')], st('success', 'foo', 'baz'), false],
    [[st('success', 'baz', 'bar'), st('success', 'foo', 'bar')], st('success', 'foo', 'bar'), true],
    [[st('failure', 'foo', 'bar'), st('success', 'foo', 'bar')], st('success', 'foo', 'bar'), false],
  ])('%#', (listed, status, dup) => {
    expect(duplicateGitHubStatus(listed, status)).toBe(dup);
  });

  it('maps severities', () => {
    expect(toGitHubState('info')).toBe('success');
    expect(toGitHubState('error')).toBe('failure');
    expect(() => toGitHubState('trace')).toThrow("can't convert to github state");
  });
});

describe('github notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('lists the statuses, then posts the commit status', async () => {
    sink = await startSink();
    sink.handle((r) => ({ status: r.method === 'GET' ? 200 : 201, body: r.method === 'GET' ? '[]' : '{}' }));
    const n = createNotifier(gitSettings('github', `${sink.url}/foo/bar.git`), deps);
    await n.post(testEvent({ severity: 'error', reason: 'HealthCheckFailed' }), sig());
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /api/v3/repos/foo/bar/commits/${SHA}/statuses?per_page=50`,
      `POST /api/v3/repos/foo/bar/statuses/${SHA}`,
    ]);
    const post = sink.requests[1]!;
    expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(post.headers.accept).toBe('application/vnd.github.v3+json');
    expect(post.body).toBe(
      JSON.stringify({
        state: 'failure',
        description: 'health check failed',
        context: `kustomization/webapp/${PROVIDER_UID.slice(0, 8)}`,
      }),
    );
  });

  it('does not post a status identical to the latest of its context', async () => {
    sink = await startSink();
    sink.respond(
      200,
      JSON.stringify([
        { state: 'success', context: 'kustomization/webapp/0c9c2e41', description: 'reconciliation succeeded' },
        { state: 'failure', context: 'kustomization/webapp/0c9c2e41', description: 'health check failed' },
      ]),
    );
    await createNotifier(gitSettings('github', `${sink.url}/foo/bar`), deps).post(testEvent(), sig());
    expect(sink.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('uses the originRevision and the commitStatusExpr', async () => {
    sink = await startSink();
    sink.respond(200, '[]');
    const other = 'a'.repeat(40);
    const settings = gitSettings('github', `${sink.url}/foo/bar`, { commitStatusExpr: "'flux/' + event.reason" });
    await prepareNotifier(settings);
    await createNotifier(settings, deps).post(
      testEvent({ metadata: { revision: `main@sha1:${SHA}`, originRevision: `sha1:${other}` } }),
      sig(),
    );
    expect(sink.requests[1]!.url).toBe(`/api/v3/repos/foo/bar/statuses/${other}`);
    expect(sink.requests[1]!.json).toMatchObject({ context: 'flux/ReconciliationSucceeded' });
  });

  it('skips Progressing events and rejects events without a revision', async () => {
    sink = await startSink();
    const n = createNotifier(gitSettings('github', `${sink.url}/foo/bar`), deps);
    await n.post(testEvent({ reason: 'Progressing' }), sig());
    expect(sink.requests).toHaveLength(0);
    await expect(n.post(testEvent({ metadata: {} }), sig())).rejects.toThrow('missing revision metadata');
    await expect(n.post(testEvent({ metadata: { revision: 'main@sha1:abc' } }), sig())).rejects.toThrow(
      "failed to extract commit hash from 'main@sha1:abc' revision",
    );
  });

  it('names neither the token nor the address path in an error', async () => {
    sink = await startSink();
    sink.respond(401, '{"message":"Bad credentials"}');
    const address = `${sink.url.replace('http://', 'http://user:pw0rd@')}/foo/bar`;
    const err = await createNotifier(gitSettings('github', address), deps)
      .post(testEvent(), sig())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotifierError);
    expect((err as Error).message).toBe(
      `could not list commit statuses: request to ${sink.url} failed with status code 401: {"message":"Bad credentials"}`,
    );
    expect((err as Error).message).not.toContain(TOKEN);
    expect((err as Error).message).not.toContain('pw0rd');
  });
});
