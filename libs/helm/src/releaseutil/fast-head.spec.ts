// The fast head reader must agree with the full parse on every document it accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELEASEUTIL_EXPECTED_FILE, type CliExpectedFile } from '../../test/releaseutil-cases.spec-helper.ts';
import { fastSimpleHead } from './fast-head.ts';
import { splitManifestList } from './manifest.ts';
import { parseSimpleHead } from './simple-head.ts';

const CRAFTED = [
  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    name: not-this\n  annotations:\n    helm.sh/hook: pre-install\n    \"quoted\": 'it''s'\n",
  'kind: Pod\nspec:\n  containers:\n  - name: x\n    args:\n      - a\n      - "b"\n    env: []\n  volumes: {}\nmetadata:\n  name: late\n',
  'kind: A\nmetadata:\n  name: first\nkind: B\nmetadata:\n  annotations: {}\n',
  'kind: A\ndata:\n  script: |\n    #!/bin/sh\n    echo "a: b"\n\n    - x\n  other: >-\n    folded\nmetadata:\n  name: n\n',
  'kind: A\nitems:\n- a: 1\n  b:\n    - c\n- |\n  text\n-\n  d: 2\nmetadata: {}\n',
  'kind: 5\n',
  'kind: yes\n',
  'kind: A\nmetadata:\n  name: 010\n',
  'kind: A\nmetadata:\n- name: x\n',
  'kind: A\nmetadata:\n  annotations:\n  - x\n',
  'kind: A\nmetadata:\n  annotations:\n    a:\n      b: c\n',
  'Kind: A\n',
  'kind: A\n  continued\n',
  'kind: A\nmetadata:\n  name: a\n   bad: x\n',
  'kind: A\nkey: value: x\n',
  'kind: "A\\tB"\nmetadata:\n  name: "x\\q"\n',
  'kind: A # comment\nmetadata: # c\n  # c\n  name: x # y\n',
  'kind: &a A\n',
  'kind: [A]\n',
  '- a\n',
  'kind: A\nb: |\n    deep\n  shallow\n',
  'kind: A\nb: |2\n  x\n',
  'kind: A\nlist:\n- a\nnext: b\nmetadata:\n  name: c\n',
  'kind: A\nx: y:\n',
  'kind: A\n"q": 1\n\'r\': 2\n',
  'kind: A\nb: "unterminated\n',
  'kind: A\nmetadata:\n  name:\n',
  'kind: A\nmetadata:\n  annotations:\n    on: x\n',
];

function fixtureDocs(): string[] {
  const f = JSON.parse(readFileSync(RELEASEUTIL_EXPECTED_FILE, 'utf8')) as CliExpectedFile;
  return f.cases.flatMap((c) => splitManifestList(c.stdout)).map((d) => d.replace(/^# Source: .*\n?/, ''));
}

describe('fastSimpleHead', () => {
  it('agrees with the full parse whenever it answers, and answers for most rendered documents', () => {
    const docs = [...fixtureDocs(), ...CRAFTED];
    let answered = 0;
    for (const d of docs) {
      const fast = fastSimpleHead(d);
      if (fast === undefined) continue;
      answered++;
      expect({ d, head: parseSimpleHead(d) }).toEqual({ d, head: fast });
    }
    const fixture = fixtureDocs();
    expect(fixture.filter((d) => fastSimpleHead(d) !== undefined).length / fixture.length).toBeGreaterThan(0.8);
    expect(answered).toBeGreaterThan(100);
  });

  it('leaves what it does not handle to the parser', () => {
    for (const d of [
      'kind: 5\n',
      'Kind: A\n',
      'kind: A\n  continued\n',
      'kind: [A]\n',
      'kind: A\nmetadata:\n- name: x\n',
    ]) {
      expect(fastSimpleHead(d)).toBeUndefined();
    }
    expect(fastSimpleHead(CRAFTED[0]!)).toEqual({
      version: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', annotations: { 'helm.sh/hook': 'pre-install', quoted: "it's" } },
    });
  });
});
