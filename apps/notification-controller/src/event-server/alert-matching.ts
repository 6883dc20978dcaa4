/**
 * Which Alerts an event goes to (upstream `filterAlertsForEvent`): not suspended, one of `spec.eventSources` matches
 * (namespace defaulting to the Alert's, kind, severity — an `info` Alert takes every event —, name or `*`, and
 * `matchLabels` checked on the object read from the API), the message matches one `inclusionList` regex if any and
 * no `exclusionList` regex. Regexes are Go's RE2 syntax, through re2js (linear time, Go's error texts).
 */
import { EventSeverities, NotificationEventReasons } from '@flux-ts/api';
import type { Alert } from '@flux-ts/api';
import { EventType, errMessage } from '@flux-ts/runtime';
import type { FluxEvent, KubeObject, Logger } from '@flux-ts/runtime';
import { parseLabelSelector } from '@flux-ts/schema/label-selector';
import { RE2JS } from 're2js';
import { involvedObjectString } from './event.ts';
import type { AlertEventRecorder } from './types.ts';

/** An Alert as read from the cache (any stored fields, `spec.summary` included). */
export type AlertObject = Alert & { metadata: { uid?: string } };

/** Reads the involved object of an event (a GET through the API, as upstream's PartialObjectMetadata Get). */
export type ObjectReader = (
  ref: { apiVersion: string; kind: string; namespace: string; name: string },
  signal?: AbortSignal,
) => Promise<KubeObject>;

/** Inputs of {@link filterAlertsForEvent}. */
export interface MatchDeps {
  getObject: ObjectReader;
  recorder: AlertEventRecorder;
  log: Logger;
  regexes: RegexCache;
  signal?: AbortSignal;
}

type Source = AlertObject['spec']['eventSources'][number];

/** Compiled Go regexes by expression (bounded: Alerts are few, their regexes fewer). */
export class RegexCache {
  readonly #cache = new Map<string, RE2JS | Error>();

  /** The compiled expression, or the compile error. */
  compile(expr: string): RE2JS | Error {
    let r = this.#cache.get(expr);
    if (r === undefined) {
      try {
        r = RE2JS.compile(expr);
      } catch (err) {
        r = err instanceof Error ? err : new Error(String(err));
      }
      if (this.#cache.size >= 1024) this.#cache.clear();
      this.#cache.set(expr, r);
    }
    return r;
  }
}

function warn(deps: MatchDeps, alert: AlertObject, reason: string, message: string): void {
  // recorder.event never rejects; the Kubernetes Event is written in the background
  void deps.recorder.event(alert, { type: EventType.Warning, reason, message });
}

function messageMatches(
  deps: MatchDeps,
  alert: AlertObject,
  msg: string,
  list: readonly string[],
  which: 'inclusion' | 'exclusion',
): boolean {
  for (const exp of list) {
    const r = deps.regexes.compile(exp);
    if (r instanceof Error) {
      deps.log.error({ err: r.message, alert: alert.metadata.name }, `failed to compile ${which} regex: ${exp}`);
      warn(deps, alert, NotificationEventReasons.InvalidConfig, `failed to compile ${which} regex: ${exp}`);
      continue;
    }
    if (r.matcher(msg).find()) return true;
  }
  return false;
}

function labelsMatch(matchLabels: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(matchLabels)) {
    // validates key and value as metav1.LabelSelectorAsSelector does (throws LabelSelectorError)
    parseLabelSelector(`${k}=${v}`);
  }
  return Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}

function sourceString(s: Source): string {
  return `${s.kind}/${s.namespace ?? ''}/${s.name}`;
}

async function sourceMatches(deps: MatchDeps, event: FluxEvent, alert: AlertObject, source: Source): Promise<boolean> {
  const o = event.involvedObject;
  const namespace = source.namespace || alert.metadata.namespace || '';
  if (o.namespace !== namespace || o.kind !== source.kind) return false;
  const severity = alert.spec.eventSeverity ?? EventSeverities.Info;
  if (event.severity !== severity && severity !== EventSeverities.Info) return false;
  if (source.name !== '*' && source.name !== o.name) return false;
  if (source.matchLabels === undefined) return true;

  let obj: KubeObject;
  try {
    obj = await deps.getObject(
      { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name },
      deps.signal,
    );
  } catch (err) {
    deps.log.error({ err: errMessage(err) }, 'error getting the involved object');
    warn(
      deps,
      alert,
      NotificationEventReasons.SourceFetchFailed,
      `error getting source object ${involvedObjectString(event)}`,
    );
    return false;
  }
  try {
    return labelsMatch(source.matchLabels, obj.metadata.labels ?? {});
  } catch (err) {
    const resolved = { ...source, namespace };
    deps.log.error({ err: errMessage(err) }, `error using matchLabels from event source ${sourceString(resolved)}`);
    warn(
      deps,
      alert,
      NotificationEventReasons.InvalidConfig,
      `error using matchLabels from event source ${sourceString(resolved)}`,
    );
    return false;
  }
}

/** The Alerts an event goes to; see the module comment. */
export async function filterAlertsForEvent(
  deps: MatchDeps,
  alerts: readonly AlertObject[],
  event: FluxEvent,
): Promise<AlertObject[]> {
  const results: AlertObject[] = [];
  for (const alert of alerts) {
    if (alert.spec.suspend) continue;
    let matched = false;
    for (const source of alert.spec.eventSources) {
      if (await sourceMatches(deps, event, alert, source)) {
        matched = true;
        break;
      }
    }
    if (!matched) continue;
    const inclusion = alert.spec.inclusionList ?? [];
    if (inclusion.length > 0 && !messageMatches(deps, alert, event.message, inclusion, 'inclusion')) continue;
    const exclusion = alert.spec.exclusionList ?? [];
    if (exclusion.length > 0 && messageMatches(deps, alert, event.message, exclusion, 'exclusion')) continue;
    results.push(alert);
  }
  return results;
}
