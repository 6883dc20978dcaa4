/**
 * The GitLab v4 REST client of the `gitlab` and `gitlabmergerequestcomment` types: the API at `<host>/api/v4` of
 * the address's host (gitlab.com or self-hosted), the project by ID or path (`group/sub/project`, URL-escaped as
 * one path segment), `PRIVATE-TOKEN` auth.
 */
import { NotifierError } from '../types.ts';
import type { ProviderSettings } from '../types.ts';
import { callAPI, gitTransport, memoAsync, parseGitAddress, str } from './git-util.ts';
import type { ApiResponse } from './git-util.ts';

/** A GitLab project and the means to call its API. */
export interface GitLabClient {
  /** `/projects/<escaped id>` */
  projectPath: string;
  call(method: string, path: string, what: string, signal: AbortSignal, body?: unknown): Promise<ApiResponse>;
  /** The username of the token's user (`GET /user`), fetched once. */
  username(signal: AbortSignal): Promise<string>;
}

/** Builds a {@link GitLabClient}; throws `gitlab token cannot be empty` without a token. */
export function newGitLabClient(settings: ProviderSettings): GitLabClient {
  if (settings.token === '') throw new NotifierError('gitlab token cannot be empty');
  const { host, id } = parseGitAddress(settings.address);
  const apiBase = `${host}/api/v4`;
  const t = gitTransport(settings);
  const headers = { 'PRIVATE-TOKEN': settings.token, Accept: 'application/json' };
  const call: GitLabClient['call'] = (method, path, what, signal, body) =>
    callAPI(t, { method, url: `${apiBase}${path}`, headers, signal, body }, what);
  return {
    projectPath: `/projects/${encodeURIComponent(id)}`,
    call,
    username: memoAsync((signal) =>
      call('GET', '/user', 'failed to get authenticated user info', signal).then((r) => str(r.json, 'username')),
    ),
  };
}
