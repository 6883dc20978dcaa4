/**
 * The Gitea REST client of the `gitea` and `giteapullrequestcomment` types (upstream `gitea_helpers.go`): the API at
 * `<host>/api/v1` of the address's host, `owner/repo` from its path, `Authorization: token <token>`.
 */
import { NotifierError } from '../types.ts';
import type { ProviderSettings } from '../types.ts';
import {
  callAPI,
  gitTransport,
  memoAsync,
  parseGitAddress,
  splitRepositoryId,
  str,
  tokenOrPassword,
} from './git-util.ts';
import type { ApiResponse } from './git-util.ts';

/** A Gitea repository and the means to call its API. */
export interface GiteaClient {
  /** `/repos/<owner>/<repo>` */
  repoPath: string;
  call(method: string, path: string, what: string, signal: AbortSignal, body?: unknown): Promise<ApiResponse>;
  /** The login of the token's user (`GET /user`), fetched once. */
  username(signal: AbortSignal): Promise<string>;
}

/** Builds a {@link GiteaClient}; throws `gitea token cannot be empty` without a token (or password). */
export function newGiteaClient(settings: ProviderSettings): GiteaClient {
  const token = tokenOrPassword(settings);
  if (token === '') throw new NotifierError('gitea token cannot be empty');
  const { host, id } = parseGitAddress(settings.address);
  const [owner, repo] = splitRepositoryId(id, 2) as [string, string];
  const apiBase = `${host}/api/v1`;
  const t = gitTransport(settings);
  const headers = { Authorization: `token ${token}`, Accept: 'application/json' };
  const call: GiteaClient['call'] = (method, path, what, signal, body) =>
    callAPI(t, { method, url: `${apiBase}${path}`, headers, signal, body }, what);
  return {
    repoPath: `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`,
    call,
    username: memoAsync((signal) =>
      call('GET', '/user', 'failed to get authenticated user info', signal).then((r) => str(r.json, 'login')),
    ),
  };
}
