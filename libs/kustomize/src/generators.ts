// configMapGenerator / secretGenerator (kustomize's builtin generators) and generatorOptions.
import * as path from 'node:path';
import type { Loader } from './loader.ts';
import { isMap, KustomizeError, newResource, type KObject, type Resource } from './resource.ts';
import type { YamlValue } from './yaml-emit.ts';

interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

function asStringMap(v: YamlValue | undefined): Record<string, string> | undefined {
  if (!isMap(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = val === null ? '' : String(val);
  return out;
}

function readOptions(v: YamlValue | undefined): GeneratorOptions | undefined {
  if (!isMap(v)) return undefined;
  return {
    labels: asStringMap(v['labels']),
    annotations: asStringMap(v['annotations']),
    disableNameSuffixHash: v['disableNameSuffixHash'] === true,
    immutable: v['immutable'] === true,
  };
}

/** Local options win over global ones (kustomize's MergeGlobalOptionsIntoLocal). */
function mergeOptions(local: GeneratorOptions | undefined, global: GeneratorOptions | undefined): GeneratorOptions {
  const out: GeneratorOptions = { ...(local ?? {}) };
  if (!global) return out;
  if (global.labels) out.labels = { ...global.labels, ...(out.labels ?? {}) };
  if (global.annotations) out.annotations = { ...global.annotations, ...(out.annotations ?? {}) };
  if (!out.disableNameSuffixHash) out.disableNameSuffixHash = global.disableNameSuffixHash;
  if (!out.immutable) out.immutable = global.immutable;
  return out;
}

function stringList(v: YamlValue | undefined): string[] {
  if (Array.isArray(v)) return v.map((x) => (x === null ? '' : String(x)));
  return [];
}

function removeQuotes(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1);
  return s;
}

interface Pair {
  key: string;
  value: Uint8Array | string;
}

function literalPairs(literals: string[]): Pair[] {
  return literals.map((l) => {
    const i = l.indexOf('=');
    if (i < 0) throw new KustomizeError(`invalid literal source ${l}, expected key=value`);
    return { key: l.slice(0, i), value: removeQuotes(l.slice(i + 1)) };
  });
}

function filePairs(ldr: Loader, files: string[]): Pair[] {
  return files.map((spec) => {
    const i = spec.indexOf('=');
    let key: string;
    let file: string;
    if (i >= 0) {
      key = spec.slice(0, i);
      file = spec.slice(i + 1);
      if (key === '') throw new KustomizeError(`key name for file path ${file} missing`);
    } else {
      file = spec;
      key = path.basename(file);
    }
    return { key, value: ldr.readFile(file) };
  });
}

function envPairs(ldr: Loader, envs: string[]): Pair[] {
  const out: Pair[] = [];
  for (const env of envs) {
    const text = ldr.readText(env);
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((raw, n) => {
      let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (n === 0 && line.startsWith('\ufeff')) line = line.slice(1);
      line = line.replace(/^\s+/u, '');
      if (line === '' || line.startsWith('#')) return;
      const i = line.indexOf('=');
      const key = i >= 0 ? line.slice(0, i) : line;
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(key)) {
        throw new KustomizeError(
          `"${key}" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`,
        );
      }
      // A line without '=' takes its value from the process environment in kustomize; we never read the
      // environment (no ambient state), so the value is empty.
      out.push({ key, value: i >= 0 ? line.slice(i + 1) : '' });
    });
  }
  return out;
}

function isValidUtf8(b: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Base64 as kyaml encodes Secret data: lines of 70 characters, each newline-terminated when there are several. */
function b64(v: Uint8Array | string): string {
  const enc = Buffer.from(typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('base64');
  const lines = Math.floor(enc.length / 70) + 1;
  if (lines <= 1) return enc;
  let out = '';
  for (let i = 0; i < enc.length; i += 70) out += enc.slice(i, i + 70) + '\n';
  return out;
}

function makeObject(kind: 'ConfigMap' | 'Secret', entry: KObject, pairs: Pair[], opts: GeneratorOptions): KObject {
  const name = typeof entry['name'] === 'string' ? entry['name'] : '';
  const metadata: KObject = { name };
  if (typeof entry['namespace'] === 'string' && entry['namespace'] !== '') metadata['namespace'] = entry['namespace'];
  if (opts.labels && Object.keys(opts.labels).length > 0) metadata['labels'] = { ...opts.labels };
  if (opts.annotations && Object.keys(opts.annotations).length > 0) metadata['annotations'] = { ...opts.annotations };
  const obj: KObject = { apiVersion: 'v1', kind, metadata };
  const data: KObject = {};
  const binaryData: KObject = {};
  for (const p of pairs) {
    if (!/^[-._a-zA-Z0-9]+$/.test(p.key)) {
      throw new KustomizeError(
        `"${p.key}" is not a valid key name for a ${kind}: a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
      );
    }
    if (p.key in data || p.key in binaryData) {
      throw new KustomizeError(`${kind.toLowerCase()} ${name} illegally repeats the key \`${p.key}\``);
    }
    if (kind === 'Secret') data[p.key] = b64(p.value);
    else if (typeof p.value === 'string') data[p.key] = p.value;
    else if (isValidUtf8(p.value)) data[p.key] = new TextDecoder().decode(p.value);
    else binaryData[p.key] = b64(p.value);
  }
  if (Object.keys(data).length > 0) obj['data'] = data;
  if (Object.keys(binaryData).length > 0) obj['binaryData'] = binaryData;
  if (kind === 'Secret')
    obj['type'] = typeof entry['type'] === 'string' && entry['type'] !== '' ? entry['type'] : 'Opaque';
  if (opts.immutable) obj['immutable'] = true;
  return obj;
}

/** Runs the configMapGenerator and secretGenerator entries of a kustomization. */
export function runGenerators(ldr: Loader, kust: KObject): Resource[] {
  const global = readOptions(kust['generatorOptions']);
  const out: Resource[] = [];
  for (const [field, kind] of [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ] as const) {
    const entries = kust[field];
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      if (!isMap(e)) continue;
      const opts = mergeOptions(readOptions(e['options']), global);
      const envs = stringList(e['envs']);
      if (typeof e['env'] === 'string' && e['env'] !== '') envs.push(e['env']);
      // kustomize's kv loader wraps each source kind's failure with the list it came from
      const kv = <T>(what: string, list: string[], f: () => T): T => {
        try {
          return f();
        } catch (err) {
          throw new KustomizeError(`loading KV pairs: ${what} [${list.join(' ')}]: ${(err as Error).message}`, {
            cause: err,
          });
        }
      };
      const literals = stringList(e['literals']);
      const files = stringList(e['files']);
      const pairs = [
        ...kv('env source files:', envs, () => envPairs(ldr, envs)),
        ...kv('literal sources', literals, () => literalPairs(literals)),
        ...kv('file sources:', files, () => filePairs(ldr, files)),
      ];
      const obj = makeObject(kind, e, pairs, opts);
      const r = newResource(obj);
      r.needsHash = !opts.disableNameSuffixHash;
      const behavior = typeof e['behavior'] === 'string' && e['behavior'] !== '' ? e['behavior'] : 'create';
      if (behavior !== 'create' && behavior !== 'merge' && behavior !== 'replace') {
        throw new KustomizeError(`unknown generator behavior '${behavior}'`);
      }
      r.behavior = behavior;
      out.push(r);
    }
  }
  return out;
}
