/**
 * The CDEvents check of the `cdevents` receiver, as far as is practical without the SDK (no npm CDEvents SDK exists):
 * what `cdevents04.NewFromJsonBytes` + `cdevents.Validate` require of every event — a JSON object whose `context`
 * has a `type` of the form `dev.cdevents.<subject>.<predicate>.<semver>` naming a spec subject, a `version`, an `id`,
 * a `source` and an RFC 3339 `timestamp`, and a `subject` with an `id` and a `content` object. The per-type
 * content schemas are not checked.
 */

/** The subjects of the CDEvents specification (0.3/0.4). */
export const CDEventSubjects = new Set([
  'artifact',
  'branch',
  'build',
  'change',
  'environment',
  'incident',
  'pipelineRun',
  'repository',
  'service',
  'taskRun',
  'testCaseRun',
  'testOutput',
  'testSuiteRun',
  'ticket',
]);

const typePattern =
  /^dev\.cdevents\.([a-zA-Z]+)\.([a-zA-Z]+)\.(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(obj: Record<string, unknown>, path: string, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') throw new Error(`${path}.${key}: a non-empty string is required`);
  return v;
}

/** Validates a CDEvent body; returns its `context.type`, throws with the first violation. */
export function validateCDEvent(body: Buffer): string {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new Error(`cannot parse the event: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(doc)) throw new Error('the event must be a JSON object');
  const context = doc['context'];
  if (!isObject(context)) throw new Error('context: an object is required');
  const type = requireString(context, 'context', 'type');
  const m = typePattern.exec(type);
  if (!m) throw new Error(`cannot parse event type ${JSON.stringify(type)}`);
  if (!CDEventSubjects.has(m[1]!)) throw new Error(`unknown event type ${JSON.stringify(type)}`);
  requireString(context, 'context', 'version');
  requireString(context, 'context', 'id');
  requireString(context, 'context', 'source');
  const ts = requireString(context, 'context', 'timestamp');
  if (!rfc3339.test(ts) || Number.isNaN(Date.parse(ts)))
    throw new Error(`context.timestamp: ${JSON.stringify(ts)} is not an RFC 3339 date-time`);
  const subject = doc['subject'];
  if (!isObject(subject)) throw new Error('subject: an object is required');
  requireString(subject, 'subject', 'id');
  if (!isObject(subject['content'])) throw new Error('subject.content: an object is required');
  return type;
}
