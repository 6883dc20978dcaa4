import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch.ts';
import { PatchError } from './errors.ts';

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
    expect(pe.reason).toBe(status === 422 ? 'Invalid' : 'BadRequest');
    expect(pe.message).toBe(message);
    // like Kubernetes, no causes go to the client for a generic 422; the library text stays in `detail`
    expect(pe.causes).toBeUndefined();
    if (detail !== undefined) expect(pe.detail).toBe(detail);
  });
});
