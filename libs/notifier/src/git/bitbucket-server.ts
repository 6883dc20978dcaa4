/**
 * `bitbucketserver` (Bitbucket Server and Data Center): a build status on the event's commit (upstream notifier
 * `bitbucketserver.go`) at `<host><context path>/rest/api/latest/projects/<key>/repos/<slug>/commits/<sha>/builds`,
 * the address being the http(s) clone URL (`.../scm/<key>/<slug>.git`). Auth: the token as bearer, else basic
 * `username`/`password`. The build status under the same key is read first and not posted again when unchanged.
 */
import { ProgressingReason } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { toBitbucketState } from './bitbucket.ts';
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

/** Upstream `parseBitbucketServerGitAddress`: the host, the context path before the last `/scm/`, and the id after it. */
export function parseBitbucketServerGitAddress(address: string): { host: string; contextPath: string; id: string } {
  const scheme = address.split(':')[0] ?? '';
  if (scheme !== 'http' && scheme !== 'https') {
    throw new NotifierError(
      `could not parse git address: unsupported scheme type in address: ${scheme.slice(0, 16)}. Must be http or https`,
    );
  }
  let parsed;
  try {
    parsed = parseGitAddress(address);
  } catch (err) {
    throw new NotifierError(`could not parse git address: ${(err as Error).message}`, { cause: err });
  }
  const idWithContext = `/${parsed.id}`;
  const last = idWithContext.lastIndexOf('/scm/');
  if (last < 0) {
    throw new NotifierError('could not parse git address: supplied provider address is not http(s) git clone url');
  }
  return { host: parsed.host, contextPath: idWithContext.slice(0, last), id: idWithContext.slice(last + 5) };
}

/** The `bitbucketserver` provider type. */
export const bitbucketServerNotifier: NotifierFactory = (settings): Notifier => {
  const { host, contextPath, id } = parseBitbucketServerGitAddress(settings.address);
  const [projectKey, slug] = splitRepositoryId(id, 2) as [string, string];
  if (settings.token === '' && (settings.username === '' || settings.password === '')) {
    throw new NotifierError('invalid credentials, expected to be one of username/password or API Token');
  }
  const statusOf = commitStatusFor(settings);
  const headers = {
    Authorization:
      settings.token !== '' ? `Bearer ${settings.token}` : `Basic ${basicAuth(settings.username, settings.password)}`,
    'x-atlassian-token': 'no-check',
    'x-requested-with': 'XMLHttpRequest',
  };
  const t = gitTransport(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      if (event.reason === ProgressingReason) return;
      let sha: string;
      try {
        sha = eventCommit(event);
      } catch (err) {
        if ((err as Error).message === 'missing revision metadata') throw err;
        throw new NotifierError(`could not parse revision: ${(err as Error).message}`, { cause: err });
      }
      let state: string;
      try {
        state = toBitbucketState(event.severity);
      } catch (err) {
        throw new NotifierError(
          "couldn't convert to bitbucket server state: bitbucket server state generated on info or error events only",
          { cause: err },
        );
      }
      const f = formatNameAndDescription(event);
      // Bitbucket Server shows the name in the browser, so the description is appended to it.
      const name = `${f.name} [${f.description}]`;
      const key = sha1Hex(statusOf(event));
      const url =
        `${host}${contextPath}/rest/api/latest/projects/${encodeURIComponent(projectKey)}` +
        `/repos/${encodeURIComponent(slug)}/commits/${encodeURIComponent(sha)}/builds`;
      const existing = await callAPI(
        t,
        { method: 'GET', url: `${url}?key=${key}`, headers, signal },
        'could not get existing commit status: failed api call to check duplicate commit status',
        { allowNotFound: true },
      );
      if (
        existing.status === 200 &&
        str(existing.json, 'key') === key &&
        str(existing.json, 'state') === state &&
        str(existing.json, 'description') === f.description &&
        str(existing.json, 'name') === name
      ) {
        return;
      }
      await callAPI(
        t,
        {
          method: 'POST',
          url,
          headers,
          signal,
          body: { description: f.description, key, name, state, url: settings.address },
        },
        'could not post build status',
      );
    },
  };
};
