/**
 * The GitHub REST client of the `github`, `githubdispatch` and `githubpullrequestcomment` types (upstream
 * `github_helpers.go` `NewGitHubClient`): the repository from the address, the API base from its host
 * (`github.com` → `https://api.github.com`, any other host is GitHub Enterprise at `<host>/api/v3`), token auth.
 */
import type { HttpRequest, TransportSettings } from '../http.ts';
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

/** A GitHub repository and the means to call its API. */
export interface GitHubClient {
  owner: string;
  repo: string;
  /** `https://api.github.com` or `<host>/api/v3`, no trailing slash. */
  apiBase: string;
  /** Calls `<apiBase><path>` with the token; errors start with `what`. */
  call(
    method: string,
    path: string,
    what: string,
    signal: AbortSignal,
    body?: unknown,
    opts?: { allowNotFound?: boolean },
  ): Promise<ApiResponse>;
  /** The login of the token's user (`GET /user`), fetched once. */
  userLogin(signal: AbortSignal): Promise<string>;
}

/** Builds a {@link GitHubClient}; throws upstream's errors for a missing token or a bad repository id. */
export function newGitHubClient(settings: ProviderSettings): GitHubClient {
  const token = tokenOrPassword(settings);
  // GitHub App authentication (app id, installation id, private key in the Secret) is not supported yet.
  if (token === '') throw new NotifierError('github token or github app details must be specified');
  const { host, id } = parseGitAddress(settings.address);
  const [owner, repo] = splitRepositoryId(id, 2) as [string, string];
  const apiBase = new URL(host).host === 'github.com' ? 'https://api.github.com' : `${host}/api/v3`;
  const t: TransportSettings = gitTransport(settings);
  const headers = {
    Authorization: `Bearer ${token}`,
    Accept: 'application/vnd.github.v3+json',
    'X-GitHub-Api-Version': '2022-11-28',
    'User-Agent': 'flux-ts-notification-controller',
  };
  const call: GitHubClient['call'] = (method, path, what, signal, body, opts) => {
    const req: HttpRequest = { method, url: `${apiBase}${path}`, headers, signal, body };
    return callAPI(t, req, what, opts);
  };
  return {
    owner,
    repo,
    apiBase,
    call,
    userLogin: memoAsync((signal) =>
      call('GET', '/user', 'failed to get authenticated user info', signal).then((r) => str(r.json, 'login')),
    ),
  };
}

/** `/repos/<owner>/<repo>` with both parts path-escaped. */
export function repoPath(c: { owner: string; repo: string }): string {
  return `/repos/${encodeURIComponent(c.owner)}/${encodeURIComponent(c.repo)}`;
}
