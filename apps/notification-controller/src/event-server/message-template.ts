/**
 * Beyond Flux (fluxcd/notification-controller issue "custom message templates", open since 2021): an Alert
 * annotated with {@link MessageTemplateAnnotation} has the message of each notification rendered from a Go
 * template by @flux-ts/helm's engine (text/template and Sprig, without `env`/`expandenv`). Off by default: an Alert
 * without the annotation sends Flux's message unchanged. The template sees the notification as Flux's event JSON
 * (`.involvedObject.kind`, `.message`, `.reason`, `.severity`, `.metadata.revision` …, after the metadata merge) and
 * `.alert` (`name`, `namespace`). A template that fails to parse or execute leaves the message as it was and
 * records a Warning `InvalidConfig` event on the Alert.
 */
import { Template, sprigFuncs } from '@flux-ts/helm';
import type { FluxEvent } from '@flux-ts/runtime';
import type { AlertObject } from './alert-matching.ts';

/** The Alert annotation holding the message template (a flux-ts extension; not part of Flux's API). */
export const MessageTemplateAnnotation = 'notification.flux-ts.io/message-template';

/** Longest rendered message kept (Flux's event message limit). */
const MaxMessageLength = 39000;

/** The template of an Alert, if it has one. */
export function messageTemplateOf(alert: AlertObject): string | undefined {
  const t = alert.metadata.annotations?.[MessageTemplateAnnotation];
  return t === undefined || t === '' ? undefined : t;
}

/**
 * Renders the message of `event` with the Alert's template.
 * @throws Error (`template: …`, Go's parse and execution errors) when the template cannot be used
 */
export function renderMessage(template: string, event: FluxEvent, alert: AlertObject, now: () => Date): string {
  const clock = () => {
    const ms = now().getTime();
    return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 };
  };
  const t = new Template('message').funcs(sprigFuncs({ now: clock, local: 'UTC' }));
  t.parse(template);
  const data = {
    ...structuredClone(event),
    alert: { name: alert.metadata.name, namespace: alert.metadata.namespace ?? '' },
  };
  const out = t.execute(data);
  return out.length > MaxMessageLength ? out.slice(0, MaxMessageLength) : out;
}
