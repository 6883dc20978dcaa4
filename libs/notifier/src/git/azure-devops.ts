/**
 * `azuredevops`: a commit status on the event's commit (upstream notifier `azure_devops.go`) for an address
 * `https://dev.azure.com/<org>/<project>/_git/<repo>` and a personal access token. Progressing events are skipped;
 * info → `succeeded`, error → `error`; the genre is `fluxcd` (`fluxcd:<summary>` with a summary). The commit's
 * statuses are read first and an unchanged one is not posted again.
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
  items,
  obj,
  parseGitAddress,
  splitRepositoryId,
  str,
} from './git-util.ts';

/** The REST API version of the calls (azure-devops-go-api v6 `git` client). */
export const AZURE_DEVOPS_API_VERSION = '6.0-preview.1';

/** Upstream `toAzureDevOpsState`. */
export function toAzureDevOpsState(severity: string): string {
  if (severity === 'info') return 'succeeded';
  if (severity === 'error') return 'error';
  throw new NotifierError("can't convert to azure devops state");
}

/** Upstream `commitStatusGenre`: `fluxcd`, or `fluxcd:<summary>` when the event has a summary. */
export function commitStatusGenre(event: FluxEvent): string {
  const md = event.metadata ?? {};
  return Object.hasOwn(md, 'summary') ? `fluxcd:${md.summary}` : 'fluxcd';
}

/** Upstream `duplicateAzureDevOpsStatus`: the first status with the same context has the same state and description. */
export function duplicateAzureDevOpsStatus(
  statuses: readonly unknown[],
  status: { state: string; description: string; context: { genre: string; name: string } },
): boolean {
  for (const s of statuses) {
    const ctx = obj(s, 'context');
    const name = str(ctx, 'name');
    const genre = str(ctx, 'genre');
    if (ctx === undefined || name === '' || genre === '' || str(s, 'state') === '') continue;
    if (name === status.context.name && genre === status.context.genre) {
      return str(s, 'state') === status.state && str(s, 'description') === status.description;
    }
  }
  return false;
}

/** The `azuredevops` provider type. */
export const azureDevOpsNotifier: NotifierFactory = (settings): Notifier => {
  // Workload identity (a token from the Provider's service account) is not supported: a PAT is required.
  if (settings.token === '') throw new NotifierError('azure devops token cannot be empty');
  const { host, id } = parseGitAddress(settings.address);
  const statusOf = commitStatusFor(settings);
  const [org, project, , repo] = splitRepositoryId(id, 4) as [string, string, string, string];
  const orgURL = `${host}/${encodeURIComponent(org)}`;
  const headers = { Authorization: `Basic ${basicAuth('', settings.token)}`, Accept: 'application/json' };
  const t = gitTransport(settings);
  return {
    async post(event: FluxEvent, signal: AbortSignal): Promise<void> {
      if (event.reason === ProgressingReason) return;
      const sha = eventCommit(event);
      const status = {
        context: { genre: commitStatusGenre(event), name: statusOf(event) },
        description: formatNameAndDescription(event).description,
        state: toAzureDevOpsState(event.severity),
      };
      const url =
        `${orgURL}/${encodeURIComponent(project)}/_apis/git/repositories/${encodeURIComponent(repo)}` +
        `/commits/${encodeURIComponent(sha)}/statuses?api-version=${AZURE_DEVOPS_API_VERSION}`;
      const listed = await callAPI(t, { method: 'GET', url, headers, signal }, 'could not list commit statuses');
      if (duplicateAzureDevOpsStatus(items(listed.json, 'value'), status)) return;
      await callAPI(t, { method: 'POST', url, headers, signal, body: status }, 'could not create commit status');
    },
  };
};
