/**
 * `githubdispatch`: a `repository_dispatch` event (upstream notifier `github_dispatch.go`) with `event_type`
 * `<Kind>/<Name>.<Namespace>` and the whole Flux event as `client_payload`. Commit status update events are skipped.
 */
import type { FluxEvent } from '@flux-ts/runtime';
import type { Notifier, NotifierFactory } from '../types.ts';
import { isCommitStatusUpdate } from './git-util.ts';
import { newGitHubClient, repoPath } from './github-client.ts';

/** The `githubdispatch` provider type. */
export const githubDispatchNotifier: NotifierFactory = (settings): Notifier => {
  const gh = newGitHubClient(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      if (isCommitStatusUpdate(event)) return;
      const o = event.involvedObject;
      await gh.call('POST', `${repoPath(gh)}/dispatches`, 'Could not send github repository dispatch webhook', signal, {
        event_type: `${o.kind}/${o.name}.${o.namespace}`,
        client_payload: event,
      });
    },
  };
};
