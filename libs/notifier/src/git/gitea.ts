/**
 * `gitea`: a commit status on the event's commit (upstream notifier `gitea.go`). Unlike the other types, Progressing
 * events become `pending`; info → `success`, error → `failure`. The commit's statuses are listed first and an
 * unchanged status (the latest with the same context has the same state and description) is not posted again.
 */
import { ProgressingReason } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { commitStatusFor } from './commit-status.ts';
import { eventCommit, formatNameAndDescription, items, str } from './git-util.ts';
import { newGiteaClient } from './gitea-client.ts';

/** Upstream `toGiteaState`. */
export function toGiteaState(event: Pick<FluxEvent, 'reason' | 'severity'>): string {
  if (event.reason === ProgressingReason) return 'pending';
  if (event.severity === 'info') return 'success';
  if (event.severity === 'error') return 'failure';
  throw new NotifierError("can't convert to gitea state");
}

/** Upstream `duplicateGiteaStatus` (Gitea lists a status's state as `status`). */
export function duplicateGiteaStatus(
  statuses: readonly unknown[],
  status: { state: string; context: string; description: string },
): boolean {
  for (const s of statuses) {
    const context = str(s, 'context');
    const state = str(s, 'status') || str(s, 'state');
    const description = str(s, 'description');
    if (context === '' || state === '' || description === '') continue;
    if (context === status.context) return state === status.state && description === status.description;
  }
  return false;
}

/** The `gitea` provider type. */
export const giteaNotifier: NotifierFactory = (settings): Notifier => {
  const statusOf = commitStatusFor(settings);
  const gt = newGiteaClient(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      const sha = eventCommit(event);
      const state = toGiteaState(event);
      const { description } = formatNameAndDescription(event);
      const context = statusOf(event);
      const ref = encodeURIComponent(sha);
      const listed = await gt.call(
        'GET',
        `${gt.repoPath}/commits/${ref}/statuses?limit=50&page=1`,
        'could not list commit statuses',
        signal,
      );
      if (duplicateGiteaStatus(items(listed.json), { state, context, description })) return;
      await gt.call('POST', `${gt.repoPath}/statuses/${ref}`, 'could not create commit status', signal, {
        state,
        target_url: '',
        description,
        context,
      });
    },
  };
};
