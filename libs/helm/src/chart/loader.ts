// helm's pkg/chart/loader: a chart from a directory (with .helmignore), a .tgz, or a list of files; subcharts in
// charts/ (directories and archives), requirements.yaml/.lock for v1 charts, multi-document values.yaml.
import * as nodeFs from 'node:fs';
import { join, resolve } from 'node:path';
import { readValues, type Values } from '../values/yaml.ts';
import { loadArchiveFiles, MAX_DECOMPRESSED_FILE_SIZE, trimBom } from './archive.ts';
import { Chart, type ChartFile } from './chart.ts';
import { HELM_IGNORE, IgnoreRules } from './helmignore.ts';
import {
  API_VERSION_V1,
  decodeLock,
  decodeMetadata,
  emptyMetadata,
  validateMetadata,
  type Metadata,
} from './metadata.ts';

/** loader.LoadValues of helm 3.18.0: the first YAML document of values.yaml (numbers as json.Number). */
export function loadValues(text: string): Values {
  return readValues(text);
}

function wrap(msg: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    throw new Error(`${msg}: ${(e as Error).message}`, { cause: e });
  }
}

function ext(n: string): string {
  const base = n.slice(n.lastIndexOf('/') + 1);
  const i = base.lastIndexOf('.');
  return i < 0 ? '' : base.slice(i);
}

/** loader.LoadFiles. */
export function loadFiles(files: readonly ChartFile[]): Chart {
  let md: Metadata | null = null;
  const c = new Chart(emptyMetadata());
  const subcharts = new Map<string, ChartFile[]>();
  c.raw = files.map((f) => ({ name: f.name, data: f.data }));
  for (const f of files) {
    const text = (): string => f.data.toString('utf8');
    if (f.name === 'Chart.yaml') {
      const m: Metadata = md ?? emptyMetadata();
      wrap('cannot load Chart.yaml', () => decodeMetadata(text(), m));
      if (m.apiVersion === '') m.apiVersion = API_VERSION_V1;
      md = m;
    } else if (f.name === 'Chart.lock') {
      wrap('cannot load Chart.lock', () => (c.lock = decodeLock(text())));
    } else if (f.name === 'values.yaml') {
      wrap('cannot load values.yaml', () => (c.values = loadValues(text())));
    } else if (f.name === 'values.schema.json') {
      c.schema = f.data;
    } else if (f.name === 'requirements.yaml') {
      const m: Metadata = md ?? emptyMetadata();
      wrap('cannot load requirements.yaml', () => decodeMetadata(text(), m));
      md = m;
      if (m.apiVersion === API_VERSION_V1) c.files.push({ name: f.name, data: f.data });
    } else if (f.name === 'requirements.lock') {
      wrap('cannot load requirements.lock', () => (c.lock = decodeLock(text())));
      md ??= emptyMetadata();
      if (md.apiVersion === API_VERSION_V1) c.files.push({ name: f.name, data: f.data });
    } else if (f.name.startsWith('templates/')) {
      c.templates.push({ name: f.name, data: f.data });
    } else if (f.name.startsWith('charts/')) {
      if (ext(f.name) === '.prov') {
        c.files.push({ name: f.name, data: f.data });
        continue;
      }
      const fname = f.name.slice('charts/'.length);
      const cname = fname.split('/')[0] ?? '';
      const list = subcharts.get(cname) ?? [];
      list.push({ name: fname, data: f.data });
      subcharts.set(cname, list);
    } else c.files.push({ name: f.name, data: f.data });
  }
  if (md === null) throw new Error('Chart.yaml file is missing');
  c.metadata = md;
  validateMetadata(md);
  for (const n of [...subcharts.keys()].sort()) {
    const sfiles = subcharts.get(n) as ChartFile[];
    if (n.search(/[_.]/) === 0) continue;
    let sc: Chart;
    try {
      if (ext(n) === '.tgz') {
        const file = sfiles[0] as ChartFile;
        if (file.name !== n) {
          throw new Error(`error unpacking subchart tar in ${c.name()}: expected ${n}, got ${file.name}`);
        }
        sc = loadArchive(file.data);
      } else {
        const buff: ChartFile[] = [];
        for (const f of sfiles) {
          const i = f.name.indexOf('/');
          if (i < 0) continue;
          buff.push({ name: f.name.slice(i + 1), data: f.data });
        }
        sc = loadFiles(buff);
      }
    } catch (e) {
      if ((e as Error).message.startsWith('error unpacking subchart tar in')) throw e;
      throw new Error(`error unpacking subchart ${n} in ${c.name()}: ${(e as Error).message}`, { cause: e });
    }
    c.addDependency(sc);
  }
  return c;
}

/** loader.LoadArchive: a chart from .tgz bytes. */
export function loadArchive(tgz: Buffer): Chart {
  if (!(tgz[0] === 0x1f && tgz[1] === 0x8b)) {
    throw new Error('gzip: invalid header');
  }
  return loadFiles(loadArchiveFiles(tgz));
}

interface ChartFsStats {
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
  size: number;
}

/**
 * The file system a chart directory is read from: node:fs by default, or one confined to a source's artifact (a
 * chart from a Git or Bucket source), so that a symlink in the chart cannot reach a host file.
 */
export interface ChartFs {
  readFileSync(p: string): Uint8Array;
  statSync(p: string): ChartFsStats;
  lstatSync(p: string): ChartFsStats;
  realpathSync(p: string): string;
  /** The entries of a directory (their names; order does not matter). */
  readdirSync(p: string): readonly { name: string }[];
}

const NODE_CHART_FS: ChartFs = {
  readFileSync: (p) => nodeFs.readFileSync(p),
  statSync: (p) => nodeFs.statSync(p),
  lstatSync: (p) => nodeFs.lstatSync(p),
  realpathSync: (p) => nodeFs.realpathSync(p),
  readdirSync: (p) => nodeFs.readdirSync(p, { withFileTypes: true }),
};

/** The files of a chart directory as LoadDir reads them (walk in lexical order, symlinks followed, .helmignore). */
export function readChartDir(dir: string, fs: ChartFs = NODE_CHART_FS): ChartFile[] {
  const top = resolve(dir);
  let rules = new IgnoreRules();
  const ifile = join(top, HELM_IGNORE);
  let hasIgnore = false;
  try {
    fs.statSync(ifile);
    hasIgnore = true;
  } catch {
    // no .helmignore
  }
  if (hasIgnore) rules = IgnoreRules.parse(new TextDecoder().decode(fs.readFileSync(ifile)));
  rules.addDefaults();
  const files: ChartFile[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const name of fs
      .readdirSync(abs)
      .map((e) => e.name)
      .sort()) {
      const p = join(abs, name);
      const n = rel === '' ? name : `${rel}/${name}`;
      let st = fs.lstatSync(p);
      if (st.isSymbolicLink()) st = fs.statSync(fs.realpathSync(p));
      if (st.isDirectory()) {
        if (rules.ignore(n, true)) continue;
        walk(p, n);
        continue;
      }
      if (rules.ignore(n, false)) continue;
      if (!st.isFile()) throw new Error(`cannot load irregular file ${p} as it has file mode type bits set`);
      if (st.size > MAX_DECOMPRESSED_FILE_SIZE) {
        throw new Error(
          `chart file ${JSON.stringify(name)} is larger than the maximum file size ${MAX_DECOMPRESSED_FILE_SIZE}`,
        );
      }
      const data = fs.readFileSync(p);
      files.push({ name: n, data: trimBom(Buffer.isBuffer(data) ? data : Buffer.from(data)) });
    }
  };
  walk(top, '');
  return files;
}

/** loader.LoadDir (through `fs`, node:fs by default). */
export function loadDir(dir: string, fs?: ChartFs): Chart {
  return loadFiles(readChartDir(dir, fs));
}

/** loader.Load: a directory or a chart archive. */
export function loadChart(path: string): Chart {
  const st = nodeFs.statSync(path);
  if (st.isDirectory()) return loadDir(path);
  const data = nodeFs.readFileSync(path);
  if (!(data[0] === 0x1f && data[1] === 0x8b && data[2] === 0x08)) {
    const head = data.subarray(0, 512);
    const got = head.includes(0) ? 'application/octet-stream' : 'text/plain; charset=utf-8';
    throw new Error(`file '${path}' does not appear to be a gzipped archive; got '${got}'`);
  }
  return loadArchive(data);
}
