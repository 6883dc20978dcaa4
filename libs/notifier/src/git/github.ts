/**
 * `github`: a commit status on the event's commit (upstream notifier `github.go`). Progressing events are skipped;
 * info → `success`, error → `failure`; the statuses of the commit are listed first and an unchanged status (same
 * context, state and description as the latest one) is not posted again.
 */
import { ProgressingReason } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { commitStatusFor } from './commit-status.ts';
import { eventCommit, formatNameAndDescription, items, str } from './git-util.ts';
import { newGitHubClient, repoPath } from './github-client.ts';

/** Upstream `toGitHubState`. */
export function toGitHubState(severity: string): string {
  if (severity === 'info') return 'success';
  if (severity === 'error') return 'failure';
  throw new NotifierError("can't convert to github state");
}

/** A status as the GitHub API lists it. */
export interface GitHubStatus {
  state: string;
  context: string;
  description: string;
}

/** Upstream `duplicateGithubStatus`: the latest status with the same context has the same state and description. */
export function duplicateGitHubStatus(statuses: readonly unknown[], status: GitHubStatus): boolean {
  for (const s of statuses) {
    const context = str(s, 'context');
    const state = str(s, 'state');
    const description = str(s, 'description');
    if (context === '' || state === '' || description === '') continue;
    if (context === status.context) return state === status.state && description === status.description;
  }
  return false;
}

/** The `github` provider type. */
export const githubNotifier: NotifierFactory = (settings): Notifier => {
  const statusOf = commitStatusFor(settings);
  const gh = newGitHubClient(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      if (event.reason === ProgressingReason) return;
      const sha = eventCommit(event);
      const status: GitHubStatus = {
        state: toGitHubState(event.severity),
        description: formatNameAndDescription(event).description,
        context: statusOf(event),
      };
      const ref = encodeURIComponent(sha);
      const listed = await gh.call(
        'GET',
        `${repoPath(gh)}/commits/${ref}/statuses?per_page=50`,
        'could not list commit statuses',
        signal,
      );
      if (duplicateGitHubStatus(items(listed.json), status)) return;
      await gh.call('POST', `${repoPath(gh)}/statuses/${ref}`, 'could not create commit status', signal, {
        state: status.state,
        description: status.description,
        context: status.context,
      });
    },
  };
};
