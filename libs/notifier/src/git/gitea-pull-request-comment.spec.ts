import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { RecordedRequest, Sink } from '@flux-ts/testbed';
import { deps, gitSettings, PROVIDER_UID, sig, testEvent, TOKEN } from './fixtures.spec-helper.ts';

const MARKER = `<!-- flux-pr-comment-key:${PROVIDER_UID}/Kustomization/flux-system/webapp -->`;

function gitea(comments: unknown[]) {
  return (r: RecordedRequest) => {
    if (r.url === '/api/v1/user') return { status: 200, body: JSON.stringify({ login: 'flux-bot' }) };
    if (r.method === 'GET') return { status: 200, body: JSON.stringify(comments) };
    return { status: r.method === 'POST' ? 201 : 200, body: '{}' };
  };
}

describe('giteapullrequestcomment notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it("edits the user's comment with the object's marker", async () => {
    sink = await startSink();
    sink.handle(gitea([{ id: 12, user: { login: 'flux-bot' }, body: `${MARKER}\n\nold` }]));
    await createNotifier(gitSettings('giteapullrequestcomment', `${sink.url}/foo/bar`), deps).post(
      testEvent({ metadata: { change_request: '8' } }),
      sig(),
    );
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/v1/user',
      'GET /api/v1/repos/foo/bar/issues/8/comments?limit=100&page=1',
      'PATCH /api/v1/repos/foo/bar/issues/comments/12',
    ]);
    expect(sink.requests[2]!.headers.authorization).toBe(`token ${TOKEN}`);
    expect((sink.requests[2]!.json as { body: string }).body.startsWith(`${MARKER}\n\n## Flux Status\n\n`)).toBe(true);
  });

  it('creates a comment when none carries the marker, and names no secret in errors', async () => {
    sink = await startSink();
    sink.handle(gitea([{ id: 12, user: { login: 'someone' }, body: MARKER }]));
    const n = createNotifier(gitSettings('giteapullrequestcomment', `${sink.url}/foo/bar`), deps);
    await n.post(testEvent({ metadata: { change_request: '8' } }), sig());
    expect(`${sink.requests[2]!.method} ${sink.requests[2]!.url}`).toBe('POST /api/v1/repos/foo/bar/issues/8/comments');
    sink.handle(() => ({ status: 404, body: '' }));
    const err = (await n
      .post(testEvent({ metadata: { change_request: '8' } }), sig())
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `failed to list pull request comments: request to ${sink.url} failed with status code 404`,
    );
    expect(err.message).not.toContain(TOKEN);
  });
});
