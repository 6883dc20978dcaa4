import { chatNotifiers } from './chat/index.ts';
import { loadSentry } from './chat/sentry.ts';
import { loadCommitStatusCel, needsCommitStatusCel } from './git/commit-status.ts';
import { gitNotifiers } from './git/index.ts';
import { NotifierError } from './types.ts';
import type { Notifier, NotifierDeps, ProviderSettings } from './types.ts';

const factories = { ...chatNotifiers, ...gitNotifiers };

/** Types that never read `address` (telegram's API host is fixed): an empty address is no reason to stay silent. */
const AddressOptional = new Set<string>(['telegram']);

/** The provider types this build can send to. */
export function supportedProviderTypes(): string[] {
  return Object.keys(factories).sort();
}

/** Sends nothing: what a Provider without an address gets, as upstream's `NopNotifier`. */
export const NopNotifier: Notifier = { post: () => Promise.resolve() };

/**
 * Imports what a Provider's notifier needs when {@link createNotifier} builds it, and which no controller loads at
 * start (issue 22): @sentry/core for `sentry` (it parses the DSN), the CEL engine for a git type's
 * `commitStatusExpr` (compiled there). The other SDKs (NATS, OpenTelemetry, Pub/Sub, Event Hubs) load on the first
 * send. Once per process; a no-op for every other Provider.
 */
export async function prepareNotifier(settings: Pick<ProviderSettings, 'type' | 'commitStatusExpr'>): Promise<void> {
  if (settings.type === 'sentry') await loadSentry();
  if (Object.hasOwn(gitNotifiers, settings.type) && needsCommitStatusCel(settings)) await loadCommitStatusCel();
}

/**
 * The {@link Notifier} for a Provider's settings (upstream notifier `Factory.Notifier`): {@link NopNotifier} when the
 * Provider has no address (neither `spec.address` nor the Secret's), else the type's notifier, whose constructor
 * checks the settings. Await {@link prepareNotifier} first: a `sentry` Provider, or a git one with a
 * `commitStatusExpr`, needs what it imports.
 */
export function createNotifier(settings: ProviderSettings, deps: Partial<NotifierDeps> = {}): Notifier {
  const factory = factories[settings.type];
  if (!factory) throw new NotifierError(`provider ${settings.type} not supported`);
  if (settings.address === '' && !AddressOptional.has(settings.type)) return NopNotifier;
  return factory(settings, { now: deps.now ?? (() => new Date()) });
}
