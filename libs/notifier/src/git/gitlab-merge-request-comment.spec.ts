import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { RecordedRequest, Sink } from '@flux-ts/testbed';
import { deps, gitSettings, PROVIDER_UID, sig, testEvent, TOKEN } from './fixtures.spec-helper.ts';

const MARKER = `<!-- flux-mr-comment-key:${PROVIDER_UID}/Kustomization/flux-system/webapp -->`;

function gitlab(notes: unknown[]) {
  return (r: RecordedRequest) => {
    if (r.url === '/api/v4/user') return { status: 200, body: JSON.stringify({ username: 'flux-bot' }) };
    if (r.method === 'GET') return { status: 200, body: JSON.stringify(notes) };
    return { status: r.method === 'POST' ? 201 : 200, body: '{}' };
  };
}

describe('gitlabmergerequestcomment notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it("updates the user's note with the object's marker", async () => {
    sink = await startSink();
    sink.handle(
      gitlab([
        { id: 5, author: { username: 'other' }, body: MARKER },
        { id: 9, author: { username: 'flux-bot' }, body: `${MARKER}\n\nold` },
      ]),
    );
    const event = testEvent({ metadata: { change_request: '3' } });
    await createNotifier(gitSettings('gitlabmergerequestcomment', `${sink.url}/group/project`), deps).post(
      event,
      sig(),
    );
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/v4/user',
      'GET /api/v4/projects/group%2Fproject/merge_requests/3/notes?order_by=created_at&per_page=100&sort=asc',
      'PUT /api/v4/projects/group%2Fproject/merge_requests/3/notes/9',
    ]);
    const body = (sink.requests[2]!.json as { body: string }).body;
    expect(body.startsWith(`${MARKER}\n\n## Flux Status\n\nℹ️ Kustomization/flux-system/webapp\n\n`)).toBe(true);
    expect(body.endsWith('Metadata:\n')).toBe(true);
    expect(sink.requests[2]!.headers['private-token']).toBe(TOKEN);
  });

  it('creates a note when there is none, and names no secret in errors', async () => {
    sink = await startSink();
    sink.handle(gitlab([]));
    const n = createNotifier(gitSettings('gitlabmergerequestcomment', `${sink.url}/group/project`), deps);
    await n.post(testEvent({ metadata: { change_request: '3' } }), sig());
    expect(sink.requests.at(-1)!.method).toBe('POST');
    expect(sink.requests.at(-1)!.url).toBe('/api/v4/projects/group%2Fproject/merge_requests/3/notes');
    sink.handle(() => ({ status: 500, body: 'boom' }));
    const err = (await n
      .post(testEvent({ metadata: { change_request: '3' } }), sig())
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `failed to list merge request notes: request to ${sink.url} failed with status code 500: boom`,
    );
    expect(err.message).not.toContain(TOKEN);
  });

  it('validates the token and the Provider UID at creation', () => {
    expect(() =>
      createNotifier(gitSettings('gitlabmergerequestcomment', 'https://gitlab.com/g/p', { token: '' }), deps),
    ).toThrow('gitlab token cannot be empty');
    const noUID = gitSettings('gitlabmergerequestcomment', 'https://gitlab.com/g/p', {
      provider: { name: 'p', namespace: 'ns', uid: '' },
    });
    expect(() => createNotifier(noUID, deps)).toThrow('provider UID cannot be empty');
  });
});
