import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { commitStatusGenre, duplicateAzureDevOpsStatus, toAzureDevOpsState } from './azure-devops.ts';
import { deps, gitSettings, SHA, sig, testEvent, TOKEN } from './fixtures.spec-helper.ts';

describe('azuredevops helpers', () => {
  it('maps severities and genres as upstream', () => {
    expect(toAzureDevOpsState('info')).toBe('succeeded');
    expect(toAzureDevOpsState('error')).toBe('error');
    expect(() => toAzureDevOpsState('trace')).toThrow("can't convert to azure devops state");
    expect(commitStatusGenre(testEvent())).toBe('fluxcd');
    expect(commitStatusGenre(testEvent({ metadata: { summary: 'prod' } }))).toBe('fluxcd:prod');
  });

  it('finds a duplicate by context name and genre (upstream TestDuplicateAzureDevOpsStatus)', () => {
    const st = (state: string, name: string, description: string, genre = 'fluxcd') => ({
      state,
      description,
      context: { genre, name },
    });
    expect(duplicateAzureDevOpsStatus([st('succeeded', 'n', 'd')], st('succeeded', 'n', 'd'))).toBe(true);
    expect(duplicateAzureDevOpsStatus([st('error', 'n', 'd')], st('succeeded', 'n', 'd'))).toBe(false);
    expect(duplicateAzureDevOpsStatus([st('succeeded', 'n', 'd', 'other')], st('succeeded', 'n', 'd'))).toBe(false);
    expect(
      duplicateAzureDevOpsStatus([st('succeeded', 'x', 'd'), st('succeeded', 'n', 'd')], st('succeeded', 'n', 'd')),
    ).toBe(true);
  });

  it('validates the token and the address at creation (upstream TestNewAzureDevOps*)', () => {
    expect(() =>
      createNotifier(gitSettings('azuredevops', 'https://dev.azure.com/foo/bar/_git/baz', { token: '' }), deps),
    ).toThrow('azure devops token cannot be empty');
    expect(() => createNotifier(gitSettings('azuredevops', 'https://dev.azure.com/foo/bar/baz'), deps)).toThrow(
      'invalid repository id "foo/bar/baz"',
    );
  });
});

describe('azuredevops notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('lists the statuses, then creates one with the PAT', async () => {
    sink = await startSink();
    sink.handle((r) =>
      r.method === 'GET' ? { status: 200, body: '{"count":0,"value":[]}' } : { status: 201, body: '{}' },
    );
    const event = testEvent({ metadata: { revision: `main@sha1:${SHA}`, summary: 'prod' } });
    await createNotifier(gitSettings('azuredevops', `${sink.url}/org/proj/_git/repo`), deps).post(event, sig());
    const path = `/org/proj/_apis/git/repositories/repo/commits/${SHA}/statuses?api-version=6.0-preview.1`;
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${path}`, `POST ${path}`]);
    expect(sink.requests[1]!.headers.authorization).toBe(`Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}`);
    expect(sink.requests[1]!.body).toBe(
      JSON.stringify({
        context: { genre: 'fluxcd:prod', name: 'kustomization/webapp/0c9c2e41' },
        description: 'reconciliation succeeded',
        state: 'succeeded',
      }),
    );
  });

  it('skips an unchanged status and Progressing events; errors carry no token', async () => {
    sink = await startSink();
    sink.respond(
      200,
      JSON.stringify({
        count: 1,
        value: [
          {
            state: 'succeeded',
            description: 'reconciliation succeeded',
            context: { genre: 'fluxcd', name: 'kustomization/webapp/0c9c2e41' },
          },
        ],
      }),
    );
    const n = createNotifier(gitSettings('azuredevops', `${sink.url}/org/proj/_git/repo`), deps);
    await n.post(testEvent(), sig());
    await n.post(testEvent({ reason: 'Progressing' }), sig());
    expect(sink.requests.map((r) => r.method)).toEqual(['GET']);
    sink.respond(401, 'TF400813: not authorized');
    const err = (await n.post(testEvent(), sig()).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `could not list commit statuses: request to ${sink.url} failed with status code 401: TF400813: not authorized`,
    );
    expect(err.message).not.toContain(TOKEN);
  });
});
