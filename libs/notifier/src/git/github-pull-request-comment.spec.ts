import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { RecordedRequest, Sink } from '@flux-ts/testbed';
import { formatCommentBody } from './git-util.ts';
import { deps, gitSettings, PROVIDER_UID, sig, testEvent, TOKEN } from './fixtures.spec-helper.ts';

const MARKER = `<!-- flux-pr-comment-key:${PROVIDER_UID}/Kustomization/flux-system/webapp -->`;

function github(comments: unknown[]) {
  return (r: RecordedRequest) => {
    if (r.url === '/api/v3/user') return { status: 200, body: JSON.stringify({ login: 'flux-bot' }) };
    if (r.method === 'GET') return { status: 200, body: JSON.stringify(comments) };
    return { status: r.method === 'POST' ? 201 : 200, body: '{}' };
  };
}

describe('githubpullrequestcomment notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('creates the comment when the user has none for the object', async () => {
    sink = await startSink();
    sink.handle(
      github([
        { id: 1, user: { login: 'someone' }, body: MARKER },
        { id: 2, user: { login: 'flux-bot' }, body: 'another comment' },
      ]),
    );
    const event = testEvent({ metadata: { change_request: '42', revision: 'main@sha1:abc' } });
    await createNotifier(gitSettings('githubpullrequestcomment', `${sink.url}/foo/bar`), deps).post(event, sig());
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/v3/user',
      'GET /api/v3/repos/foo/bar/issues/42/comments?direction=asc&per_page=100&sort=created',
      'POST /api/v3/repos/foo/bar/issues/42/comments',
    ]);
    const body = formatCommentBody('flux-pr-comment-key', PROVIDER_UID, event);
    expect(sink.requests[2]!.json).toEqual({ body });
    expect(body).toBe(
      `${MARKER}\n\n## Flux Status\n\nℹ️ Kustomization/flux-system/webapp\n\n` +
        'Reconciliation finished in 1s, next run in 10m\n\nMetadata:\n* `revision`: main@sha1:abc\n',
    );
    expect(sink.requests[2]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("edits the user's comment carrying the object's marker, looking the user up once", async () => {
    sink = await startSink();
    sink.handle(github([{ id: 77, user: { login: 'flux-bot' }, body: `${MARKER}\n\nold` }]));
    const n = createNotifier(gitSettings('githubpullrequestcomment', `${sink.url}/foo/bar`), deps);
    const event = testEvent({ metadata: { change_request: '42' } });
    await n.post(event, sig());
    await n.post(event, sig());
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/v3/user',
      'GET /api/v3/repos/foo/bar/issues/42/comments?direction=asc&per_page=100&sort=created',
      'PATCH /api/v3/repos/foo/bar/issues/comments/77',
      'GET /api/v3/repos/foo/bar/issues/42/comments?direction=asc&per_page=100&sort=created',
      'PATCH /api/v3/repos/foo/bar/issues/comments/77',
    ]);
  });

  it('needs the change_request metadata and a Provider UID', async () => {
    sink = await startSink();
    const n = createNotifier(gitSettings('githubpullrequestcomment', `${sink.url}/foo/bar`), deps);
    await expect(n.post(testEvent(), sig())).rejects.toThrow('missing "change_request" metadata key');
    await expect(n.post(testEvent({ metadata: { change_request: 'abc' } }), sig())).rejects.toThrow(
      'invalid "change_request" metadata value "abc": strconv.Atoi: parsing "abc": invalid syntax',
    );
    expect(sink.requests).toHaveLength(0);
    const noUID = gitSettings('githubpullrequestcomment', `${sink.url}/foo/bar`, {
      provider: { name: 'p', namespace: 'ns', uid: '' },
    });
    expect(() => createNotifier(noUID, deps)).toThrow('provider UID cannot be empty');
  });

  it('reports a failed user lookup without the token, and retries it on the next event', async () => {
    sink = await startSink();
    sink.respond(401, '{"message":"Bad credentials"}');
    const n = createNotifier(gitSettings('githubpullrequestcomment', `${sink.url}/foo/bar`), deps);
    const event = testEvent({ metadata: { change_request: '1' } });
    const err = (await n.post(event, sig()).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^failed to get authenticated user info: request to http:\/\/127\.0\.0\.1:\d+ failed/);
    expect(err.message).not.toContain(TOKEN);
    await n.post(event, sig()).catch(() => undefined);
    expect(sink.requests.filter((r) => r.url === '/api/v3/user')).toHaveLength(2);
  });
});
