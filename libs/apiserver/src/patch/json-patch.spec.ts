import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch.ts';
import { PatchError } from './errors.ts';
import { JSON_PATCH_MAX_COPY_BYTES, MAX_JSON_PATCH_OPERATIONS, MAX_NESTING_DEPTH } from '../limits.ts';

const deploy = () => ({
  metadata: { name: 'd', labels: { app: 'x' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'a' }] } } },
});

describe('applyJsonPatch', () => {
  const ok: { name: string; ops: unknown[]; expect: (o: ReturnType<typeof deploy>) => unknown; want: unknown }[] = [
    {
      name: 'replace',
      ops: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
      expect: (o) => o.spec.replicas,
      want: 3,
    },
    {
      name: 'add to list end',
      ops: [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'b' } }],
      expect: (o) => o.spec.template.spec.containers.map((c) => c.name),
      want: ['a', 'b'],
    },
    {
      name: 'remove label',
      ops: [{ op: 'remove', path: '/metadata/labels/app' }],
      expect: (o) => o.metadata.labels,
      want: {},
    },
    {
      name: 'passing test then replace',
      ops: [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 2 },
      ],
      expect: (o) => o.spec.replicas,
      want: 2,
    },
    {
      name: 'escaped path',
      ops: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'n' }],
      expect: (o) => (o.metadata.labels as Record<string, string>)['app.kubernetes.io/name'],
      want: 'n',
    },
  ];
  it.each(ok)('$name', ({ ops, expect: pick, want }) => {
    const input = deploy();
    const out = applyJsonPatch(input, ops);
    expect(pick(out)).toEqual(want);
    expect(input).toEqual(deploy()); // input untouched
  });

  const failing: { name: string; ops: unknown; status: number; message: string; detail?: string }[] = [
    {
      name: 'failing test op is 422',
      ops: [{ op: 'test', path: '/spec/replicas', value: 9 }],
      status: 422,
      message: 'the server rejected our request due to an error in our request',
      detail: 'testing value /spec/replicas failed: test failed',
    },
    {
      name: 'replace of a missing path is 422',
      ops: [{ op: 'replace', path: '/spec/nope', value: 1 }],
      status: 422,
      message: 'the server rejected our request due to an error in our request',
      detail: 'replace operation does not apply: doc is missing path: "/spec/nope": missing value',
    },
    {
      name: 'remove of a missing path is 422',
      ops: [{ op: 'remove', path: '/metadata/annotations' }],
      status: 422,
      message: 'the server rejected our request due to an error in our request',
      detail: 'remove operation does not apply: doc is missing path: "/metadata/annotations": missing value',
    },
    {
      name: 'unknown op is 400',
      ops: [{ op: 'frobnicate', path: '/a' }],
      status: 400,
      message: 'Unexpected kind: frobnicate',
    },
    {
      name: 'a path through __proto__ is missing, not the prototype (422)',
      ops: [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }],
      status: 422,
      message: 'the server rejected our request due to an error in our request',
      detail: 'add operation does not apply: doc is missing path: "/__proto__/polluted": missing value',
    },
    {
      name: 'inherited keys are not members: replace /constructor is 422',
      ops: [{ op: 'replace', path: '/constructor', value: 1 }],
      status: 422,
      message: 'the server rejected our request due to an error in our request',
      detail: 'replace operation does not apply: doc is missing path: "/constructor": missing value',
    },
    {
      name: 'more than 10,000 operations is 413',
      ops: Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({
        op: 'test',
        path: '/spec/replicas',
        value: 1,
      })),
      status: 413,
      message: `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${MAX_JSON_PATCH_OPERATIONS + 1}`,
    },
    {
      name: 'copies adding more than 3 MiB are 422',
      ops: [
        { op: 'add', path: '/spec/blob', value: 'x'.repeat(1024 * 1024) },
        ...Array.from({ length: 3 }, (_, i) => ({ op: 'copy', from: '/spec/blob', path: `/spec/c${i}` })),
      ],
      status: 422,
      message: 'the server rejected our request due to an error in our request',
      detail: `Unable to complete the copy, the accumulated size increase of copy is ${3 * (1024 * 1024 + 2)}, exceeding the limit ${JSON_PATCH_MAX_COPY_BYTES}`,
    },
    {
      name: 'nesting the document deeper than a body may is 422',
      ops: [
        {
          op: 'add',
          path: '/spec/deep',
          value: JSON.parse(`${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}`),
        },
      ],
      status: 422,
      message: 'the server rejected our request due to an error in our request',
      detail: `add operation does not apply: the result exceeds the max depth of ${MAX_NESTING_DEPTH}`,
    },
    {
      name: 'not an array is 400',
      ops: { op: 'add' },
      status: 400,
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    },
  ];
  it.each(failing)('$name', ({ ops, status, message, detail }) => {
    let err: unknown;
    try {
      applyJsonPatch(deploy(), ops);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatchError);
    const pe = err as PatchError;
    expect(pe.status).toBe(status);
    expect(pe.reason).toBe({ 400: 'BadRequest', 413: 'RequestEntityTooLarge', 422: 'Invalid' }[status]);
    expect(pe.message).toBe(message);
    // like Kubernetes, no causes go to the client for a generic 422; the library text stays in `detail`
    expect(pe.causes).toBeUndefined();
    if (detail !== undefined) expect(pe.detail).toBe(detail);
  });

  it('treats __proto__ and constructor as plain keys and leaves Object.prototype alone', () => {
    const doc = JSON.parse('{"data":{"__proto__":{"a":1},"constructor":"c"}}') as Record<string, unknown>;
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/data/__proto__/a', value: 2 },
      { op: 'add', path: '/data/__proto__/polluted', value: 'yes' },
      { op: 'copy', from: '/data/__proto__', path: '/data/toString' },
      { op: 'test', path: '/data/constructor', value: 'c' },
      { op: 'move', from: '/data/constructor', path: '/data/prototype' },
    ]);
    expect(JSON.stringify(out)).toBe(
      '{"data":{"__proto__":{"a":2,"polluted":"yes"},"toString":{"a":2,"polluted":"yes"},"prototype":"c"}}',
    );
    const data = out['data'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify(doc)).toBe('{"data":{"__proto__":{"a":1},"constructor":"c"}}');
  });
});
