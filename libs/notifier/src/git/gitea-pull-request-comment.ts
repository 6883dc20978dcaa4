/**
 * `giteapullrequestcomment`: one comment per Flux object on the pull request named by the `change_request`
 * metadata (upstream notifier `gitea_pull_request_comment.go`). The first 100 comments are listed; the token user's
 * comment carrying the object's hidden marker is edited, otherwise a new comment is created.
 */
import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { changeRequestNumber, commentKeyMarker, formatCommentBody, items, obj, str } from './git-util.ts';
import { newGiteaClient } from './gitea-client.ts';
import { PR_COMMENT_KEY_PREFIX } from './github-pull-request-comment.ts';

/** The `giteapullrequestcomment` provider type. */
export const giteaPullRequestCommentNotifier: NotifierFactory = (settings): Notifier => {
  const uid = settings.provider.uid;
  if (uid === '') throw new NotifierError('provider UID cannot be empty');
  const gt = newGiteaClient(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      const body = formatCommentBody(PR_COMMENT_KEY_PREFIX, uid, event);
      const pr = changeRequestNumber(event, 'strconv.Atoi');
      const username = await gt.username(signal);
      const listed = await gt.call(
        'GET',
        `${gt.repoPath}/issues/${pr}/comments?limit=100&page=1`,
        'failed to list pull request comments',
        signal,
      );
      const marker = commentKeyMarker(PR_COMMENT_KEY_PREFIX, uid, event);
      const existing = items(listed.json).find(
        (c) => str(obj(c, 'user'), 'login') === username && str(c, 'body').includes(marker),
      );
      if (existing !== undefined) {
        await gt.call(
          'PATCH',
          `${gt.repoPath}/issues/comments/${encodeURIComponent(str(existing, 'id'))}`,
          'failed to update pull request comment',
          signal,
          { body },
        );
        return;
      }
      await gt.call('POST', `${gt.repoPath}/issues/${pr}/comments`, 'failed to create pull request comment', signal, {
        body,
      });
    },
  };
};
