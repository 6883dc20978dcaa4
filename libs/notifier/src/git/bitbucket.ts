/**
 * `bitbucket` (Bitbucket Cloud): a build status on the event's commit (upstream notifier `bitbucket.go`). The token
 * is `<user>:<app-password>` (basic auth), or `x-token-auth:<token>` / `x-bitbucket-api-token-auth:<token>` (bearer).
 * The status key is the SHA-1 of the commit status name (Bitbucket keys hold 40 characters); the status under that
 * key is read first and an unchanged one (same state and description) is not posted again.
 */
import { ProgressingReason } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { commitStatusFor } from './commit-status.ts';
import {
  basicAuth,
  callAPI,
  eventCommit,
  formatNameAndDescription,
  gitTransport,
  parseGitAddress,
  sha1Hex,
  splitRepositoryId,
  str,
} from './git-util.ts';

/** Bitbucket Cloud's API base (the address only names the workspace and repository). */
export const BITBUCKET_API_BASE = 'https://api.bitbucket.org/2.0';

/** Upstream `toBitbucketState` (shared with `bitbucketserver`). */
export function toBitbucketState(severity: string): string {
  if (severity === 'info') return 'SUCCESSFUL';
  if (severity === 'error') return 'FAILED';
  throw new NotifierError("can't convert to bitbucket state");
}

/** The `bitbucket` provider type. */
export const bitbucketNotifier: NotifierFactory = (settings): Notifier => {
  if (settings.token === '') throw new NotifierError('bitbucket token cannot be empty');
  const statusOf = commitStatusFor(settings);
  const { id } = parseGitAddress(settings.address);
  const cred = settings.token.split(':');
  if (cred.length !== 2) throw new NotifierError('invalid token format, expected to be <user>:<password>');
  const [username, password] = cred as [string, string];
  const [owner, repo] = splitRepositoryId(id, 2) as [string, string];
  const authorization =
    username === 'x-token-auth' || username === 'x-bitbucket-api-token-auth'
      ? `Bearer ${password}`
      : `Basic ${basicAuth(username, password)}`;
  const headers = { Authorization: authorization, Accept: 'application/json' };
  const apiBase = (settings.apiBaseURL ?? BITBUCKET_API_BASE).replace(/\/+$/, '');
  const t = gitTransport(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      if (event.reason === ProgressingReason) return;
      const sha = eventCommit(event);
      const state = toBitbucketState(event.severity);
      const { name, description } = formatNameAndDescription(event);
      const key = sha1Hex(statusOf(event));
      const base = `${apiBase}/repositories/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/commit/${encodeURIComponent(sha)}/statuses/build`;
      const existing = await callAPI(
        t,
        { method: 'GET', url: `${base}/${key}`, headers, signal },
        'could not get commit status',
        { allowNotFound: true },
      );
      if (str(existing.json, 'state') === state && str(existing.json, 'description') === description) return;
      await callAPI(
        t,
        {
          method: 'POST',
          url: base,
          headers,
          signal,
          body: { key, url: 'https://bitbucket.org', state, name, description },
        },
        'could not create commit status',
      );
    },
  };
};
