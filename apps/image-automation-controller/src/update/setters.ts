/**
 * The Setters update strategy (upstream `internal/update/setters.go`): every YAML file under the update path that
 * contains the token `"$imagepolicy"` is scanned for scalars carrying a line comment `# {"$imagepolicy":
 * "<ns>:<policy>[:tag|:name|:digest]"}`, and each such value is set from the policy's `status.latestRef`.
 *
 * Upstream round-trips the files through kyaml; here the edit is made in the text itself: only the bytes of a
 * changed scalar are replaced (keeping its quoting style), so comments, key order, indentation and every other byte
 * stay as they were, and a file without a change is not written at all. The `yaml` library's parser finds the
 * scalars and their comments (so a marker inside a block scalar is text, not a marker, as for kyaml).
 */
import { lstatSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ImagePolicyMarker, ImagePolicySetterSuffixes } from '@flux-ts/api';
import { Scalar, isMap, parseAllDocuments, visit } from 'yaml';
import type { Document } from 'yaml';
import { addChange } from './result.ts';
import type { ObjectIdentifier, UpdateResult } from './result.ts';

/** What a setter needs of an ImagePolicy: its name and namespace and `status.latestRef`. */
export interface PolicyRef {
  namespace: string;
  name: string;
  latestRef: { name: string; tag: string; digest?: string | undefined };
}

/** The screening token: a file without it is not even parsed (upstream `ScreeningLocalReader`). */
const TOKEN = JSON.stringify(ImagePolicyMarker);

/** The full image reference a `<ns>:<policy>` setter writes: `name:tag`, `@digest` appended when reflected. */
export function imageReference(ref: PolicyRef['latestRef']): string {
  const base = `${ref.name}:${ref.tag}`;
  return ref.digest ? `${base}@${ref.digest}` : base;
}

/** Setter name → value, for every policy with a `latestRef` (the four setters upstream defines per policy). */
export function setterValues(policies: readonly PolicyRef[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const p of policies) {
    const base = `${p.namespace}:${p.name}`;
    values.set(base, imageReference(p.latestRef));
    values.set(`${base}:${ImagePolicySetterSuffixes.Tag}`, p.latestRef.tag);
    values.set(`${base}:${ImagePolicySetterSuffixes.Name}`, p.latestRef.name);
    values.set(`${base}:${ImagePolicySetterSuffixes.Digest}`, p.latestRef.digest ?? '');
  }
  return values;
}

/** The setter a line comment names, or undefined when the comment is not a marker. */
export function markerSetter(comment: string): string | undefined {
  const text = comment.trim();
  if (!text.startsWith('{') || !text.includes(ImagePolicyMarker)) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const v = (parsed as Record<string, unknown>)[ImagePolicyMarker];
      return typeof v === 'string' ? v : undefined;
    }
  } catch {
    // not JSON: an ordinary comment mentioning the token
  }
  return undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function identifierOf(doc: Document.Parsed): ObjectIdentifier {
  const root = doc.contents;
  const get = (path: string[]): string => (isMap(root) ? str(root.getIn(path)) : '');
  return {
    apiVersion: get(['apiVersion']),
    kind: get(['kind']),
    name: get(['metadata', 'name']),
    namespace: get(['metadata', 'namespace']),
  };
}

/** The new source text of a scalar, in the style it had (plain, single- or double-quoted). */
function render(node: Scalar, value: string): string {
  if (node.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (node.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  return value;
}

/** The result of {@link updateFile}: the new text (undefined when nothing changed) and the changes. */
export interface FileUpdate {
  text: string | undefined;
  changes: { object: ObjectIdentifier; oldValue: string; newValue: string; setter: string }[];
}

/** Applies the setters to one file's text; pure, so it is table-tested on upstream's fixtures. */
export function updateFile(text: string, values: ReadonlyMap<string, string>): FileUpdate {
  const edits: { start: number; end: number; text: string }[] = [];
  const changes: FileUpdate['changes'] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) continue;
    let object: ObjectIdentifier | undefined;
    visit(doc, {
      Scalar(_key, node) {
        if (!node.comment || !node.range) return;
        const setter = markerSetter(node.comment);
        if (setter === undefined) return;
        const value = values.get(setter);
        // An unknown policy changes nothing; an empty value (a digest not reflected) is not written either.
        if (value === undefined || value === '') return;
        const old =
          node.type === Scalar.PLAIN && typeof node.source === 'string' ? node.source : String(node.value ?? '');
        if (old === value) return;
        object ??= identifierOf(doc);
        edits.push({ start: node.range[0], end: node.range[1], text: render(node, value) });
        changes.push({ object, oldValue: old, newValue: value, setter });
      },
    });
  }
  if (edits.length === 0) return { text: undefined, changes };
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, changes };
}

/** Thrown when `spec.update.path` leaves the repository. */
export class UpdatePathError extends Error {
  override name = 'UpdatePathError';
}

/**
 * Resolves `spec.update.path` inside the work tree (securejoin semantics: `..` and symlinks never leave `root`).
 * A path that does not exist resolves to where it would be (an update there finds no file).
 */
export function resolveUpdatePath(root: string, path: string | undefined): string {
  const realRoot = realpathSync(root);
  const target = resolve(realRoot, '.' + sep + (path ?? '').replace(/^\/+/, ''));
  let real = target;
  try {
    real = realpathSync(target);
  } catch {
    // not there: nothing to update
  }
  const rel = relative(realRoot, real);
  if (rel.startsWith('..') || rel.split(sep).includes('..'))
    throw new UpdatePathError(`update path '${path ?? ''}' is outside the repository`);
  return real;
}

function yamlFiles(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    // Symlinks are neither followed nor rewritten: a link could point outside the clone.
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) {
      if (e.name !== '.git') yamlFiles(p, out);
    } else if (e.isFile() && (e.name.endsWith('.yaml') || e.name.endsWith('.yml'))) out.push(p);
  }
}

/**
 * Runs the setters over every YAML file under `path` (already resolved with {@link resolveUpdatePath}), writing back
 * only the files that changed. The result's file names are relative to `path`, `/`-separated.
 */
export function updateWithSetters(path: string, policies: readonly PolicyRef[]): UpdateResult {
  const result: UpdateResult = { fileChanges: new Map() };
  const values = setterValues(policies);
  const files: string[] = [];
  if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) yamlFiles(path, files);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes(TOKEN)) continue;
    const update = updateFile(text, values);
    if (update.text === undefined) continue;
    writeFileSync(file, update.text);
    const rel = relative(path, file).split(sep).join('/');
    for (const c of update.changes)
      addChange(result, rel, c.object, { oldValue: c.oldValue, newValue: c.newValue, setter: c.setter });
  }
  return result;
}
