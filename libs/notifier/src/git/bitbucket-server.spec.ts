import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { parseBitbucketServerGitAddress } from './bitbucket-server.ts';
import { sha1Hex } from './git-util.ts';
import { deps, gitSettings, SHA, sig, testEvent, TOKEN } from './fixtures.spec-helper.ts';

const KEY = sha1Hex('kustomization/webapp/0c9c2e41');

describe('parseBitbucketServerGitAddress (upstream TestBitbucketServer_NewBitbucketServer)', () => {
  it.each([
    ['https://example.com:7990/scm/projectfoo/repobar.git', 'https://example.com:7990', '', 'projectfoo/repobar'],
    ['https://example.com/context/scm/projectfoo/repobar.git', 'https://example.com', '/context', 'projectfoo/repobar'],
    [
      'https://example.com/scm/context/scm/projectfoo/repobar.git',
      'https://example.com',
      '/scm/context',
      'projectfoo/repobar',
    ],
  ])('%s', (address, host, contextPath, id) => {
    expect(parseBitbucketServerGitAddress(address)).toEqual({ host, contextPath, id });
  });

  it('refuses ssh and addresses without /scm/', () => {
    expect(() => parseBitbucketServerGitAddress('ssh://git@example.com:7999/projectfoo/repobar.git')).toThrow(
      'could not parse git address: unsupported scheme type in address: ssh. Must be http or https',
    );
    expect(() => parseBitbucketServerGitAddress('https://example.com/projectfoo/repobar.git')).toThrow(
      'could not parse git address: supplied provider address is not http(s) git clone url',
    );
  });

  it('needs a token or a username and password', () => {
    const addr = 'https://example.com/scm/p/r.git';
    expect(() => createNotifier(gitSettings('bitbucketserver', addr, { token: '', username: 'u' }), deps)).toThrow(
      'invalid credentials, expected to be one of username/password or API Token',
    );
  });
});

describe('bitbucketserver notifier', () => {
  let sink: Sink;
  afterEach(() => sink?.close());

  it('checks the build status under its key, then posts it with the token', async () => {
    sink = await startSink();
    sink.handle((r) => (r.method === 'GET' ? { status: 404, body: '' } : { status: 204, body: '' }));
    const address = `${sink.url}/bitbucket/scm/proj/repo.git`;
    await createNotifier(gitSettings('bitbucketserver', address), deps).post(testEvent(), sig());
    const path = `/bitbucket/rest/api/latest/projects/proj/repos/repo/commits/${SHA}/builds`;
    expect(sink.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${path}?key=${KEY}`, `POST ${path}`]);
    const post = sink.requests[1]!;
    expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(post.headers['x-atlassian-token']).toBe('no-check');
    expect(post.headers['x-requested-with']).toBe('XMLHttpRequest');
    expect(post.body).toBe(
      JSON.stringify({
        description: 'reconciliation succeeded',
        key: KEY,
        name: 'kustomization/webapp [reconciliation succeeded]',
        state: 'SUCCESSFUL',
        url: address,
      }),
    );
  });

  it('uses basic auth and skips an unchanged build status', async () => {
    sink = await startSink();
    sink.respond(
      200,
      JSON.stringify({
        key: KEY,
        state: 'FAILED',
        description: 'health check failed',
        name: 'kustomization/webapp [health check failed]',
      }),
    );
    const settings = gitSettings('bitbucketserver', `${sink.url}/scm/proj/repo.git`, {
      token: '',
      username: 'admin',
      password: 'pw',
    });
    await createNotifier(settings, deps).post(testEvent({ severity: 'error', reason: 'HealthCheckFailed' }), sig());
    expect(sink.requests.map((r) => r.method)).toEqual(['GET']);
    expect(sink.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
  });

  it('reports a failed post without the token', async () => {
    sink = await startSink();
    sink.handle((r) => (r.method === 'GET' ? { status: 404, body: '' } : { status: 400, body: 'bad' }));
    const n = createNotifier(gitSettings('bitbucketserver', `${sink.url}/scm/proj/repo.git`), deps);
    const err = (await n.post(testEvent(), sig()).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`could not post build status: request to ${sink.url} failed with status code 400: bad`);
    expect(err.message).not.toContain(TOKEN);
    await n.post(testEvent({ reason: 'Progressing' }), sig());
    expect(sink.requests).toHaveLength(2);
  });
});
