/**
 * `gitlabmergerequestcomment`: one note per Flux object on the merge request named by the `change_request`
 * metadata (upstream notifier `gitlab_merge_request_comment.go`). The first 100 notes are listed; the token user's
 * note carrying the object's hidden marker is updated, otherwise a new note is created.
 */
import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { changeRequestNumber, commentKeyMarker, formatCommentBody, items, obj, str } from './git-util.ts';
import { newGitLabClient } from './gitlab-client.ts';

/** The marker prefix of GitLab merge request notes. */
export const MR_COMMENT_KEY_PREFIX = 'flux-mr-comment-key';

/** The `gitlabmergerequestcomment` provider type. */
export const gitlabMergeRequestCommentNotifier: NotifierFactory = (settings): Notifier => {
  const uid = settings.provider.uid;
  if (uid === '') throw new NotifierError('provider UID cannot be empty');
  const gl = newGitLabClient(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      const body = formatCommentBody(MR_COMMENT_KEY_PREFIX, uid, event);
      const iid = changeRequestNumber(event, 'strconv.ParseInt');
      const username = await gl.username(signal);
      const mr = `${gl.projectPath}/merge_requests/${iid}`;
      const listed = await gl.call(
        'GET',
        `${mr}/notes?order_by=created_at&per_page=100&sort=asc`,
        'failed to list merge request notes',
        signal,
      );
      const marker = commentKeyMarker(MR_COMMENT_KEY_PREFIX, uid, event);
      const existing = items(listed.json).find(
        (n) => str(obj(n, 'author'), 'username') === username && str(n, 'body').includes(marker),
      );
      if (existing !== undefined) {
        await gl.call(
          'PUT',
          `${mr}/notes/${encodeURIComponent(str(existing, 'id'))}`,
          'failed to update merge request note',
          signal,
          { body },
        );
        return;
      }
      await gl.call('POST', `${mr}/notes`, 'failed to create merge request note', signal, { body });
    },
  };
};
