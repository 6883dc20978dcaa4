/**
 * `githubpullrequestcomment`: one comment per Flux object on the pull request named by the `change_request`
 * metadata (upstream notifier `github_pull_request_comment.go`). The first 100 comments are listed; the token user's
 * comment carrying the object's hidden marker is edited, otherwise a new comment is created.
 */
import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { changeRequestNumber, commentKeyMarker, formatCommentBody, items, obj, str } from './git-util.ts';
import { newGitHubClient, repoPath } from './github-client.ts';

/** The marker prefix of GitHub (and Gitea) pull request comments. */
export const PR_COMMENT_KEY_PREFIX = 'flux-pr-comment-key';

/** The `githubpullrequestcomment` provider type. */
export const githubPullRequestCommentNotifier: NotifierFactory = (settings): Notifier => {
  const uid = settings.provider.uid;
  if (uid === '') throw new NotifierError('provider UID cannot be empty');
  const gh = newGitHubClient(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      const body = formatCommentBody(PR_COMMENT_KEY_PREFIX, uid, event);
      const pr = changeRequestNumber(event, 'strconv.Atoi');
      const login = await gh.userLogin(signal);
      const listed = await gh.call(
        'GET',
        `${repoPath(gh)}/issues/${pr}/comments?direction=asc&per_page=100&sort=created`,
        'failed to list pull request comments',
        signal,
      );
      const marker = commentKeyMarker(PR_COMMENT_KEY_PREFIX, uid, event);
      const existing = items(listed.json).find(
        (c) => str(obj(c, 'user'), 'login') === login && str(c, 'body').includes(marker),
      );
      if (existing !== undefined) {
        await gh.call(
          'PATCH',
          `${repoPath(gh)}/issues/comments/${encodeURIComponent(str(existing, 'id'))}`,
          'failed to update pull request comment',
          signal,
          { body },
        );
        return;
      }
      await gh.call('POST', `${repoPath(gh)}/issues/${pr}/comments`, 'failed to create pull request comment', signal, {
        body,
      });
    },
  };
};
