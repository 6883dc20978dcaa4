import type { NotifierFactory } from '../types.ts';
import { azureDevOpsNotifier } from './azure-devops.ts';
import { bitbucketServerNotifier } from './bitbucket-server.ts';
import { bitbucketNotifier } from './bitbucket.ts';
import { giteaPullRequestCommentNotifier } from './gitea-pull-request-comment.ts';
import { giteaNotifier } from './gitea.ts';
import { githubDispatchNotifier } from './github-dispatch.ts';
import { githubPullRequestCommentNotifier } from './github-pull-request-comment.ts';
import { githubNotifier } from './github.ts';
import { gitlabMergeRequestCommentNotifier } from './gitlab-merge-request-comment.ts';
import { gitlabNotifier } from './gitlab.ts';

/** The Git commit-status, dispatch and change-request comment provider types, by `spec.type`. */
export const gitNotifiers: Partial<Record<string, NotifierFactory>> = {
  github: githubNotifier,
  gitlab: gitlabNotifier,
  gitea: giteaNotifier,
  bitbucket: bitbucketNotifier,
  bitbucketserver: bitbucketServerNotifier,
  azuredevops: azureDevOpsNotifier,
  githubdispatch: githubDispatchNotifier,
  githubpullrequestcomment: githubPullRequestCommentNotifier,
  gitlabmergerequestcomment: gitlabMergeRequestCommentNotifier,
  giteapullrequestcomment: giteaPullRequestCommentNotifier,
};
