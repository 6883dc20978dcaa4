/**
 * `gitlab`: a commit status on the event's commit through the v4 API (upstream notifier `gitlab.go`). Progressing
 * events are skipped; info → `success`, error → `failed`; the statuses named like this one are listed first and an
 * identical one (same commit, state, description and name) is not posted again.
 */
import { ProgressingReason } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { commitStatusFor } from './commit-status.ts';
import { eventCommit, formatNameAndDescription, items, str } from './git-util.ts';
import { newGitLabClient } from './gitlab-client.ts';

/** Upstream `toGitLabState`. */
export function toGitLabState(severity: string): string {
  if (severity === 'info') return 'success';
  if (severity === 'error') return 'failed';
  throw new NotifierError("can't convert to gitlab state");
}

/** Upstream `duplicateGitlabStatus`: any listed status of the same commit with the same state, description and name. */
export function duplicateGitLabStatus(
  statuses: readonly unknown[],
  status: { sha: string; status: string; description: string; name: string },
): boolean {
  return statuses.some(
    (s) =>
      str(s, 'sha') === status.sha &&
      str(s, 'status') === status.status &&
      str(s, 'description') === status.description &&
      str(s, 'name') === status.name,
  );
}

/** The `gitlab` provider type. */
export const gitlabNotifier: NotifierFactory = (settings): Notifier => {
  const gl = newGitLabClient(settings);
  const statusOf = commitStatusFor(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      if (event.reason === ProgressingReason) return;
      const sha = eventCommit(event);
      const state = toGitLabState(event.severity);
      const { description } = formatNameAndDescription(event);
      const name = statusOf(event);
      const ref = encodeURIComponent(sha);
      const listed = await gl.call(
        'GET',
        `${gl.projectPath}/repository/commits/${ref}/statuses?name=${encodeURIComponent(name)}`,
        'unable to list commit status',
        signal,
      );
      if (duplicateGitLabStatus(items(listed.json), { sha, status: state, description, name })) return;
      await gl.call('POST', `${gl.projectPath}/statuses/${ref}`, 'could not set commit status', signal, {
        state,
        name,
        description,
      });
    },
  };
};
