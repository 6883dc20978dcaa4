import type { FluxEvent } from '@flux-ts/runtime';
import { isError } from './format.ts';

/** The metadata key of a change request (fluxcd/pkg `eventv1.MetaChangeRequestKey`), left out of posts. */
export const MetaChangeRequestKey = 'change_request';

/**
 * An event for Markdown renderers (upstream `formatMarkdownPost`): a `## Flux Status` heading, the severity
 * emoji and `<Kind>/<namespace>/<name>`, the message, then the sorted metadata as a list.
 */
export function formatMarkdownPost(event: FluxEvent): string {
  const o = event.involvedObject;
  const m = event.metadata ?? {};
  const lines = Object.keys(m)
    .filter((k) => k !== MetaChangeRequestKey)
    .sort()
    .map((k) => `* \`${k}\`: ${m[k]}\n`)
    .join('');
  return `## Flux Status\n\n${isError(event) ? '⚠️' : 'ℹ️'} ${o.kind}/${o.namespace}/${o.name}\n\n${event.message}\n\nMetadata:\n${lines}`;
}
