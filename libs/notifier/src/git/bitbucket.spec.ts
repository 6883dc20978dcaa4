import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { toBitbucketState } from './bitbucket.ts';
import { sha1Hex } from './git-util.ts';
import { deps, gitSettings, SHA, sig, testEvent } from './fixtures.spec-helper.ts';

const KEY = sha1Hex('kustomization/webapp/0c9c2e41');

describe('bitbucket helpers', () => {
  it('maps severities as upstream', () => {
    expect(toBitbucketState('info')).toBe('SUCCESSFUL');
    expect(toBitbucketState('error')).toBe('FAILED');
    expect(() => toBitbucketState('trace')).toThrow("can't convert to bitbucket state");
  });

  it('validates the token and the repository at creation (upstream TestNewBitbucket*)', () => {
    const addr = 'https://bitbucket.org/foo/bar';
    expect(() => createNotifier(gitSettings('bitbucket', addr, { token: '' }), deps)).toThrow(
      'bitbucket token cannot be empty',
    );
    expect(() => createNotifier(gitSettings('bitbucket', addr, { token: 'bad-token' }), deps)).toThrow(
      'invalid token format, expected to be <user>:<password>',
    );
    expect(() => createNotifier(gitSettings('bitbucket', `${addr}/baz`, { token: 'u:p' }), deps)).toThrow(
      'invalid repository id "foo/bar/baz"',
    );
  });
});

describe('bitbucket notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('reads the status under its key (404: none), then creates it with basic auth', async () => {
    sink = await startSink();
    sink.handle((r) => (r.method === 'GET' ? { status: 404, body: '{"type":"error"}' } : { status: 201, body: '{}' }));
    const settings = gitSettings('bitbucket', 'git@bitbucket.org:foo/bar.git', {
      token: 'user:app-password',
      apiBaseURL: `${sink.url}/2.0`,
    });
    await createNotifier(settings, deps).post(testEvent({ severity: 'error', reason: 'BuildFailed' }), sig());
    const base = `/2.0/repositories/foo/bar/commit/${SHA}/statuses/build`;
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${base}/${KEY}`, `POST ${base}`]);
    expect(sink.requests[1]!.headers.authorization).toBe(
      `Basic ${Buffer.from('user:app-password').toString('base64')}`,
    );
    expect(sink.requests[1]!.body).toBe(
      JSON.stringify({
        key: KEY,
        url: 'https://bitbucket.org',
        state: 'FAILED',
        name: 'kustomization/webapp',
        description: 'build failed',
      }),
    );
  });

  it('uses a bearer token for x-token-auth and skips an unchanged status', async () => {
    sink = await startSink();
    sink.respond(200, JSON.stringify({ key: KEY, state: 'SUCCESSFUL', description: 'reconciliation succeeded' }));
    const settings = gitSettings('bitbucket', 'https://bitbucket.org/foo/bar', {
      token: 'x-token-auth:tok',
      apiBaseURL: `${sink.url}/2.0/`,
    });
    await createNotifier(settings, deps).post(testEvent(), sig());
    expect(sink.requests.map((r) => r.method)).toEqual(['GET']);
    expect(sink.requests[0]!.headers.authorization).toBe('Bearer tok');
  });

  it('reports a failed read without the credentials', async () => {
    sink = await startSink();
    sink.respond(401, 'Unauthorized');
    const settings = gitSettings('bitbucket', 'https://bitbucket.org/foo/bar', {
      token: 'user:s3cr3tpw',
      apiBaseURL: `${sink.url}/2.0`,
    });
    const err = (await createNotifier(settings, deps)
      .post(testEvent(), sig())
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `could not get commit status: request to ${sink.url} failed with status code 401: Unauthorized`,
    );
    expect(err.message).not.toContain('s3cr3tpw');
  });
});
