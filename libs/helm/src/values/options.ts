// helm's pkg/cli/values Options.MergeValues: `-f` files in order, then --set-json, --set, --set-string,
// --set-file, --set-literal, each with helm's error wrapping.
import { readFileSync } from 'node:fs';
import { isPlainMap } from './coalesce.ts';
import { parseInto, parseIntoFile, parseIntoString, parseJson, parseLiteralInto } from './strvals.ts';
import { readValues, type Values } from './yaml.ts';

/** The values flags of `helm template/install/upgrade`. */
export interface ValuesOptions {
  valueFiles?: readonly string[];
  values?: readonly string[];
  stringValues?: readonly string[];
  fileValues?: readonly string[];
  jsonValues?: readonly string[];
  literalValues?: readonly string[];
}

/** Reads a file named by -f or --set-file (default: the local file system). */
export type FileReader = (path: string) => Buffer;

/** options.go mergeMaps: b over a, maps merged recursively. */
export function mergeMaps(a: Values, b: Values): Values {
  const out: Values = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const bv = out[k];
    if (isPlainMap(v) && Object.prototype.hasOwnProperty.call(out, k) && isPlainMap(bv)) {
      out[k] = mergeMaps(bv, v);
      continue;
    }
    out[k] = v;
  }
  return out;
}

function wrapped(msg: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    throw new Error(`${msg}: ${(e as Error).message}`, { cause: e });
  }
}

const defaultReader: FileReader = (p) => readFileSync(p);

function readOrGoError(read: FileReader, path: string): Buffer {
  try {
    return read(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new Error(`open ${path}: no such file or directory`, { cause: e });
    if (err.code === 'EISDIR') throw new Error(`read ${path}: is a directory`, { cause: e });
    throw e;
  }
}

/** Options.MergeValues. */
export function mergeValues(opts: ValuesOptions, read: FileReader = defaultReader): Values {
  let base: Values = {};
  for (const file of opts.valueFiles ?? []) {
    const data = readOrGoError(read, file);
    let current: Values;
    try {
      current = readValues(data.toString('utf8'), 'float64');
    } catch (e) {
      throw new Error(`failed to parse ${file}: ${(e as Error).message}`, { cause: e });
    }
    base = mergeMaps(base, current);
  }
  for (const value of opts.jsonValues ?? []) {
    try {
      parseJson(value, base);
    } catch {
      throw new Error(`failed parsing --set-json data ${value}`);
    }
  }
  for (const value of opts.values ?? []) wrapped('failed parsing --set data', () => parseInto(value, base));
  for (const value of opts.stringValues ?? []) {
    wrapped('failed parsing --set-string data', () => parseIntoString(value, base));
  }
  for (const value of opts.fileValues ?? []) {
    wrapped('failed parsing --set-file data', () =>
      parseIntoFile(value, base, (rs) => {
        return readOrGoError(read, rs).toString('utf8');
      }),
    );
  }
  for (const value of opts.literalValues ?? []) {
    wrapped('failed parsing --set-literal data', () => parseLiteralInto(value, base));
  }
  return base;
}
