import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChartFile } from '../chart/chart.ts';
import { loadFiles } from '../chart/loader.ts';
import { indexDirectory, serializeIndex, type IndexDirEntry } from './generate-index.ts';
import { packageChart } from './package.ts';

const f = (name: string, text: string): ChartFile => ({ name, data: Buffer.from(text) });

function archive(name: string, version: string, extra = ''): Uint8Array {
  const chart = loadFiles([f('Chart.yaml', `apiVersion: v2\nname: ${name}\nversion: ${version}\n${extra}`)]);
  return packageChart(chart).data;
}

/** An in-memory directory tree: paths relative to `/repo` → file bytes (directories are implied). */
function memFs(files: Record<string, Uint8Array>): {
  readDir: (dir: string) => Promise<IndexDirEntry[]>;
  readFile: (p: string) => Promise<Uint8Array>;
  reads: string[];
} {
  const reads: string[] = [];
  const rel = (p: string): string => p.replace(/^\/repo\/?/, '');
  return {
    reads,
    readDir: (dir) => {
      const prefix = rel(dir) === '' ? '' : rel(dir) + '/';
      const seen = new Map<string, boolean>();
      for (const p of Object.keys(files)) {
        if (!p.startsWith(prefix)) continue;
        const [head, ...tail] = p.slice(prefix.length).split('/');
        seen.set(head ?? '', (seen.get(head ?? '') ?? false) || tail.length > 0);
      }
      return Promise.resolve([...seen].map(([name, isDirectory]) => ({ name, isDirectory })));
    },
    readFile: (p) => {
      reads.push(rel(p));
      const data = files[rel(p)];
      return data ? Promise.resolve(data) : Promise.reject(new Error(`ENOENT: ${p}`));
    },
  };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const now = new Date('2026-03-04T05:06:07.890Z');

describe('indexDirectory', () => {
  const files = {
    'b-1.0.0.tgz': archive('b', '1.0.0', 'description: Bee\n'),
    'a-0.9.0.tgz': archive('a', '0.9.0'),
    'a-0.10.0.tgz': archive('a', '0.10.0'),
    'a-1.0.0-rc.1.tgz': archive('a', '1.0.0-rc.1'),
    'sub/a-2.0.0.tgz': archive('a', '2.0.0'),
    'sub/deeper/a-3.0.0.tgz': archive('a', '3.0.0'),
    'junk.tgz': new Uint8Array(Buffer.from('not a chart')),
    'index.yaml': new Uint8Array(Buffer.from('apiVersion: v1\n')),
  };

  it('indexes the .tgz files of the directory and its direct subdirectories, newest version first', async () => {
    const fs = memFs(files);
    const index = await indexDirectory('/repo', { url: 'https://charts.example.com/x/', now, ...fs });
    expect(fs.reads.sort()).toEqual(
      ['a-0.10.0.tgz', 'a-0.9.0.tgz', 'a-1.0.0-rc.1.tgz', 'b-1.0.0.tgz', 'junk.tgz', 'sub/a-2.0.0.tgz'].sort(),
    );
    expect(index.apiVersion).toBe('v1');
    expect(index.generated).toBe('2026-03-04T05:06:07.89Z');
    expect(Object.keys(index.entries).sort()).toEqual(['a', 'b']);
    expect(index.entries['a']?.map((v) => [v['version'], v['urls']])).toEqual([
      ['2.0.0', ['https://charts.example.com/x/sub/a-2.0.0.tgz']],
      ['1.0.0-rc.1', ['https://charts.example.com/x/a-1.0.0-rc.1.tgz']],
      ['0.10.0', ['https://charts.example.com/x/a-0.10.0.tgz']],
      ['0.9.0', ['https://charts.example.com/x/a-0.9.0.tgz']],
    ]);
    expect(index.entries['b']).toEqual([
      {
        name: 'b',
        version: '1.0.0',
        description: 'Bee',
        apiVersion: 'v2',
        urls: ['https://charts.example.com/x/b-1.0.0.tgz'],
        created: '2026-03-04T05:06:07.89Z',
        digest: sha(files['b-1.0.0.tgz']),
      },
    ]);
  });

  it('joins URLs as urlutil.URLJoin does, falling back to path.Join', async () => {
    const small = { 'a-1.0.0.tgz': files['a-0.9.0.tgz'], 's/b-1.0.0.tgz': files['b-1.0.0.tgz'] };
    const urlsFor = async (url: string | undefined): Promise<unknown[]> => {
      const index = await indexDirectory('/repo', { now, ...memFs(small), ...(url !== undefined ? { url } : {}) });
      return Object.values(index.entries).map((v) => v[0]?.['urls']);
    };
    expect(await urlsFor(undefined)).toEqual([['a-1.0.0.tgz'], ['s/b-1.0.0.tgz']]);
    expect(await urlsFor('https://h')).toEqual([['https://h/a-1.0.0.tgz'], ['https://h/s/b-1.0.0.tgz']]);
    expect(await urlsFor('https://u:p@h:8443/a//b/../c/?q=1&r=a+b#f')).toEqual([
      ['https://u:p@h:8443/a/c/a-1.0.0.tgz?q=1&r=a+b#f'],
      ['https://u:p@h:8443/a/c/s/b-1.0.0.tgz?q=1&r=a+b#f'],
    ]);
    expect(await urlsFor('http://h/sp ace/%41(x)')).toEqual([
      ['http://h/sp%20ace/A%28x%29/a-1.0.0.tgz'],
      ['http://h/sp%20ace/A%28x%29/s/b-1.0.0.tgz'],
    ]);
    expect(await urlsFor('file:///srv')).toEqual([['file:///srv/a-1.0.0.tgz'], ['file:///srv/s/b-1.0.0.tgz']]);
    expect(await urlsFor('rel/dir')).toEqual([['rel/dir/a-1.0.0.tgz'], ['rel/dir/s/b-1.0.0.tgz']]);
    // An unparsable URL (bad port): path.Join, whose result then parses with an empty host.
    expect(await urlsFor('http://h:port/x')).toEqual([
      ['http:/h:port/x/a-1.0.0.tgz'],
      ['http:/h:port/x/s/b-1.0.0.tgz'],
    ]);
  });

  it('stops on an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(indexDirectory('/repo', { ...memFs(files), signal: ac.signal })).rejects.toThrow('stop');
  });
});

describe('serializeIndex', () => {
  it('writes the YAML helm writes: sorted keys, quoted timestamps, empty optional fields left out', async () => {
    const index = await indexDirectory('/repo', {
      now,
      url: 'https://h/c',
      ...memFs({ 'app-1.0.0.tgz': archive('app', '1.0.0', 'appVersion: "2.0"\nkeywords: [k]\n') }),
    });
    const digest = index.entries['app']?.[0]?.['digest'] as string;
    expect(serializeIndex({ ...index, publicKeys: [], annotations: {} })).toBe(
      [
        'apiVersion: v1',
        'entries:',
        '  app:',
        '  - apiVersion: v2',
        '    appVersion: "2.0"',
        '    created: "2026-03-04T05:06:07.89Z"',
        `    digest: ${digest}`,
        '    keywords:',
        '    - k',
        '    name: app',
        '    urls:',
        '    - https://h/c/app-1.0.0.tgz',
        '    version: 1.0.0',
        'generated: "2026-03-04T05:06:07.89Z"',
        '',
      ].join('\n'),
    );
    expect(serializeIndex({ apiVersion: 'v1', generated: 'g', entries: {}, annotations: { b: '1', a: 'x' } })).toBe(
      'annotations:\n  a: x\n  b: "1"\napiVersion: v1\nentries: {}\ngenerated: g\n',
    );
  });
});
