/**
 * The commit message (upstream `internal/source/source.go` `templateMsg`): Go text/template with Sprig's hermetic
 * functions, over `source.TemplateData{AutomationObject, Changed, Values}`, rendered by @flux-ts/helm's engine.
 */
import { DefaultCommitMessageTemplate } from '@flux-ts/api';
import { GoFunc, GoStruct, Template, sprigFuncs } from '@flux-ts/helm';
import type { FuncMap } from '@flux-ts/helm';
import { allChanges, allObjects } from '../update/result.ts';
import type { Change, ObjectIdentifier, UpdateResult } from '../update/result.ts';

/** Sprig's non-hermetic functions (`sprig.HermeticTxtFuncMap` leaves them out): time, randomness, env, network. */
const NON_HERMETIC = [
  'date',
  'date_in_zone',
  'date_modify',
  'now',
  'htmlDate',
  'htmlDateInZone',
  'dateInZone',
  'dateModify',
  'randAlphaNum',
  'randAlpha',
  'randAscii',
  'randNumeric',
  'randBytes',
  'uuidv4',
  'env',
  'expandenv',
  'getHostByName',
];

function hermeticFuncs(): FuncMap {
  const funcs = { ...sprigFuncs() };
  for (const name of NON_HERMETIC) delete funcs[name];
  return funcs;
}

/** The removed template fields and the message upstream's `RemovedTemplateFieldError` gives for each. */
const REMOVED_FIELDS = [
  {
    pattern: "can't evaluate field Updated in type source.TemplateData",
    message:
      "template uses removed '.Updated' field. Please use '.Changed' instead. See: https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template",
  },
  {
    pattern: "can't evaluate field ImageResult in type update.Result",
    message:
      "template uses removed '.Changed.ImageResult' field. Please use '.Changed.FileChanges' or '.Changed.Objects' instead. See: https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template",
  },
];

/** A template that uses a removed field (`.Updated`, `.Changed.ImageResult`): Stalled, RemovedTemplateField. */
export class RemovedTemplateFieldError extends Error {
  override name = 'RemovedTemplateFieldError';
}

/** The template could not be parsed or executed. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

/**
 * An `update.ObjectIdentifier` as a map key: Go ranges over a map with struct keys in no fixed order; the engine
 * sorts keys as strings, so the key iterates as a stable sort string.
 */
class ObjectKey extends GoStruct {
  readonly #sort: string;
  constructor(o: ObjectIdentifier) {
    super(
      'update.ObjectIdentifier',
      new Map<string, unknown>([
        ['APIVersion', o.apiVersion],
        ['Kind', o.kind],
        ['Name', o.name],
        ['Namespace', o.namespace],
      ]),
    );
    this.#sort = `${o.kind}/${o.namespace}/${o.name}/${o.apiVersion}`;
  }
  [Symbol.iterator](): Iterator<string> {
    return this.#sort[Symbol.iterator]();
  }
}

function changeValue(c: Change): GoStruct {
  return new GoStruct(
    'update.Change',
    new Map<string, unknown>([
      ['OldValue', c.oldValue],
      ['NewValue', c.newValue],
      ['Setter', c.setter],
    ]),
  );
}

function objectMap(objects: readonly { object: ObjectIdentifier; changes: Change[] }[]): Map<unknown, unknown> {
  return new Map(objects.map((o) => [new ObjectKey(o.object), o.changes.map(changeValue)]));
}

/** The template data (`source.TemplateData`) of a run. */
export function templateData(
  automation: { namespace: string; name: string },
  result: UpdateResult,
  values: Record<string, string> | undefined,
): GoStruct {
  const fileChanges: Record<string, unknown> = {};
  for (const [file, objects] of result.fileChanges) fileChanges[file] = objectMap(objects);
  const changed = new GoStruct('update.Result', new Map<string, unknown>([['FileChanges', fileChanges]]), {
    Changes: new GoFunc([], () => allChanges(result).map(changeValue), { typeName: 'func() []update.Change' }),
    Objects: new GoFunc([], () => objectMap(allObjects(result)), { typeName: 'func() update.ObjectChanges' }),
  });
  return new GoStruct(
    'source.TemplateData',
    new Map<string, unknown>([
      [
        'AutomationObject',
        new GoStruct(
          'types.NamespacedName',
          new Map<string, unknown>([
            ['Namespace', automation.namespace],
            ['Name', automation.name],
          ]),
          // NamespacedName's String (value receiver): `{{ .AutomationObject }}` prints `<namespace>/<name>`
          {
            String: new GoFunc([], () => `${automation.namespace}/${automation.name}`, { typeName: 'func() string' }),
          },
        ),
      ],
      ['Changed', changed],
      ['Values', { ...(values ?? {}) }],
    ]),
  );
}

/** Renders `spec.git.commit.messageTemplate` (default `Update from image update automation`). */
export function renderCommitMessage(messageTemplate: string | undefined, data: GoStruct): string {
  const text = messageTemplate || DefaultCommitMessageTemplate;
  let tmpl: Template;
  try {
    tmpl = new Template('commit message').funcs(hermeticFuncs()).parse(text);
  } catch (err) {
    throw new TemplateError(`unable to create commit message template from spec: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return tmpl.execute(data);
  } catch (err) {
    const msg = (err as Error).message;
    const removed = REMOVED_FIELDS.find((r) => msg.includes(r.pattern));
    if (removed) throw new RemovedTemplateFieldError(removed.message, { cause: err });
    throw new TemplateError(`failed to run template from spec: ${msg}`, { cause: err });
  }
}
