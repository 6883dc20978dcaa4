import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allChanges, allObjects } from './result.ts';
import { UpdatePathError, resolveUpdatePath, updateFile, updateWithSetters } from './setters.ts';
import type { PolicyRef } from './setters.ts';

const testdata = join(import.meta.dirname, 'testdata', 'setters');

// upstream internal/update/update_test.go TestUpdateWithSetters
const policies: PolicyRef[] = [
  { namespace: 'automation-ns', name: 'policy', latestRef: { name: 'index.repo.fake/updated', tag: 'v1.0.1' } },
  { namespace: 'automation-ns', name: 'unchanged', latestRef: { name: 'image', tag: 'v1.0.0' } },
  {
    namespace: 'automation-ns',
    name: 'policy-with-digest',
    latestRef: {
      name: 'image',
      tag: 'v1.0.0',
      digest: 'sha256:6745aaad46d795c9836632e1fb62f24b7e7f4c843144da8e47a5465c411a14be',
    },
  },
];

let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

function copyOriginal(): string {
  tmp = mkdtempSync(join(tmpdir(), 'iac-setters-'));
  cpSync(join(testdata, 'original'), tmp, { recursive: true });
  return tmp;
}

describe('updateWithSetters (upstream fixtures)', () => {
  it('rewrites the marked values and leaves every other byte as the expected files have it', () => {
    const dir = copyOriginal();
    const before = statSync(join(dir, 'test.yaml')).mtimeMs;
    const result = updateWithSetters(dir, policies);
    for (const f of readdirSync(join(testdata, 'expected')))
      expect(readFileSync(join(dir, f), 'utf8'), f).toBe(readFileSync(join(testdata, 'expected', f), 'utf8'));
    expect(statSync(join(dir, 'test.yaml')).mtimeMs).toBe(before);

    const kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      name: '',
      namespace: '',
    };
    const cronJob = { apiVersion: 'batch/v1beta1', kind: 'CronJob', name: 'foo', namespace: 'bar' };
    expect([...result.fileChanges.keys()]).toEqual(['kustomization.yml', 'marked.yaml']);
    expect(result.fileChanges.get('kustomization.yml')).toEqual([
      {
        object: kustomization,
        changes: [
          { oldValue: 'replaced', newValue: 'index.repo.fake/updated', setter: 'automation-ns:policy:name' },
          { oldValue: 'v1', newValue: 'v1.0.1', setter: 'automation-ns:policy:tag' },
          {
            oldValue: 'sha256:1234567890abcdef',
            newValue: 'sha256:6745aaad46d795c9836632e1fb62f24b7e7f4c843144da8e47a5465c411a14be',
            setter: 'automation-ns:policy-with-digest:digest',
          },
          {
            oldValue: 'image',
            newValue: 'image:v1.0.0@sha256:6745aaad46d795c9836632e1fb62f24b7e7f4c843144da8e47a5465c411a14be',
            setter: 'automation-ns:policy-with-digest',
          },
        ],
      },
    ]);
    expect(result.fileChanges.get('marked.yaml')).toEqual([
      {
        object: cronJob,
        changes: [
          { oldValue: 'image:v1.0.0', newValue: 'index.repo.fake/updated:v1.0.1', setter: 'automation-ns:policy' },
        ],
      },
    ]);
    expect(allChanges(result)).toHaveLength(5);
    expect(allObjects(result).map((o) => o.object.kind)).toEqual(['Kustomization', 'CronJob']);
  });

  it('changes nothing for a marker naming a policy that does not exist, and writes no file', () => {
    const dir = copyOriginal();
    const mtimes = readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs);
    const result = updateWithSetters(dir, [
      { namespace: 'automation-ns', name: 'other', latestRef: { name: 'x', tag: '1' } },
    ]);
    expect(result.fileChanges.size).toBe(0);
    for (const f of readdirSync(dir))
      expect(readFileSync(join(dir, f), 'utf8')).toBe(readFileSync(join(testdata, 'original', f), 'utf8'));
    expect(readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs)).toEqual(mtimes);
  });

  it('does not follow symlinks and refuses an update path outside the repository', () => {
    const dir = copyOriginal();
    const outside = mkdtempSync(join(tmpdir(), 'iac-outside-'));
    try {
      writeFileSync(join(outside, 'x.yaml'), 'image: a:1 # {"$imagepolicy": "automation-ns:policy"}\n');
      symlinkSync(join(outside, 'x.yaml'), join(dir, 'link.yaml'));
      symlinkSync(outside, join(dir, 'linkdir'));
      mkdirSync(join(dir, '.git'));
      writeFileSync(join(dir, '.git', 'y.yaml'), 'image: a:1 # {"$imagepolicy": "automation-ns:policy"}\n');
      const result = updateWithSetters(dir, policies);
      expect([...result.fileChanges.keys()]).toEqual(['kustomization.yml', 'marked.yaml']);
      expect(readFileSync(join(outside, 'x.yaml'), 'utf8')).toBe(
        'image: a:1 # {"$imagepolicy": "automation-ns:policy"}\n',
      );
      expect(() => resolveUpdatePath(dir, '../..')).toThrow(UpdatePathError);
      expect(() => resolveUpdatePath(dir, 'linkdir')).toThrow("update path 'linkdir' is outside the repository");
      expect(resolveUpdatePath(dir, '/')).toBe(resolveUpdatePath(dir, undefined));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('updateFile', () => {
  const values = new Map([
    ['ns:app', 'reg.example/app:2.0'],
    ['ns:app:tag', '2.0'],
  ]);

  it.each([
    {
      name: 'keeps double quotes',
      before: 'image: "reg.example/app:1.0" # {"$imagepolicy": "ns:app"}\n',
      want: 'image: "reg.example/app:2.0" # {"$imagepolicy": "ns:app"}\n',
    },
    {
      name: 'keeps single quotes',
      before: 'tag: \'1.0\'   #   {"$imagepolicy": "ns:app:tag"}\n',
      want: 'tag: \'2.0\'   #   {"$imagepolicy": "ns:app:tag"}\n',
    },
    {
      name: 'sets sequence items and keeps other comments and CRLF line ends',
      before: '# head\r\nlist:\r\n  - a:1 # {"$imagepolicy": "ns:app"}\r\n  - b # other\r\n',
      want: '# head\r\nlist:\r\n  - reg.example/app:2.0 # {"$imagepolicy": "ns:app"}\r\n  - b # other\r\n',
    },
    {
      name: 'ignores a marker inside a block scalar',
      before: 'data: |\n  image: a:1 # {"$imagepolicy": "ns:app"}\n',
      want: undefined,
    },
    {
      name: 'ignores a comment that is not a marker',
      before: 'image: a:1 # {"$imagepolicy": ns:app}\n',
      want: undefined,
    },
    {
      name: 'updates every document of a multi-document file',
      before:
        'kind: A\nimage: a:1 # {"$imagepolicy": "ns:app"}\n---\nkind: B\ntag: x # {"$imagepolicy": "ns:app:tag"}\n',
      want: 'kind: A\nimage: reg.example/app:2.0 # {"$imagepolicy": "ns:app"}\n---\nkind: B\ntag: 2.0 # {"$imagepolicy": "ns:app:tag"}\n',
    },
    {
      name: 'leaves a value that is already current',
      before: 'tag: 2.0 # {"$imagepolicy": "ns:app:tag"}\n',
      want: undefined,
    },
  ])('$name', ({ before, want }) => {
    expect(updateFile(before, values).text).toBe(want);
  });
});
