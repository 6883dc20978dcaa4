import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { PatchError } from './errors.ts';
import { builtinTypeInfo } from '../typeinfo/builtin.ts';

const deployTI = builtinTypeInfo('apps', 'Deployment');
const podTI = builtinTypeInfo('', 'Pod');

/** A Deployment with one container, like the kubectl "patch-demo" docs example. */
const deployment = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'patch-demo', labels: { app: 'nginx' }, finalizers: ['a', 'b'] },
  spec: { replicas: 2, template: { spec: { containers, ...extra } } },
});
const podSpec = (obj: unknown) => (obj as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;

describe('applyStrategicMergePatch', () => {
  const cases: {
    name: string;
    original: unknown;
    patch: Record<string, unknown>;
    want: (out: unknown) => unknown;
    expected: unknown;
  }[] = [
    {
      name: 'containers merge by name (kubectl patch docs)',
      original: deployment([{ name: 'patch-demo-ctr', image: 'nginx' }]),
      patch: { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } },
      want: (o) => podSpec(o)['containers'],
      // the docs show the new container first: patch items absent from the original lead
      expected: [
        { name: 'patch-demo-ctr-2', image: 'redis' },
        { name: 'patch-demo-ctr', image: 'nginx' },
      ],
    },
    {
      name: 'existing container fields merge',
      original: deployment([{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }] }]),
      patch: {
        spec: {
          template: { spec: { containers: [{ name: 'app', image: 'nginx:2', ports: [{ containerPort: 443 }] }] } },
        },
      },
      want: (o) => podSpec(o)['containers'],
      expected: [{ name: 'app', image: 'nginx:2', ports: [{ containerPort: 443 }, { containerPort: 80 }] }],
    },
    {
      name: 'tolerations have no merge strategy and are replaced (kubectl patch docs)',
      original: deployment([{ name: 'a' }], { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] }),
      patch: {
        spec: { template: { spec: { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'hdd' }] } } },
      },
      want: (o) => podSpec(o)['tolerations'],
      expected: [{ effect: 'NoSchedule', key: 'disktype', value: 'hdd' }],
    },
    {
      name: '$patch: delete removes a list item by merge key',
      original: deployment([{ name: 'a' }, { name: 'b' }]),
      patch: { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } } } },
      want: (o) => podSpec(o)['containers'],
      expected: [{ name: 'b' }],
    },
    {
      name: '$patch: replace in a list replaces the list',
      original: deployment([{ name: 'a', image: 'x' }, { name: 'b' }]),
      patch: { spec: { template: { spec: { containers: [{ name: 'c', image: 'y' }, { $patch: 'replace' }] } } } },
      want: (o) => podSpec(o)['containers'],
      expected: [{ name: 'c', image: 'y' }],
    },
    {
      name: '$patch: replace in a map replaces the map',
      original: { metadata: { labels: { a: '1', b: '2' } } },
      patch: { metadata: { labels: { c: '3', $patch: 'replace' } } },
      want: (o) => (o as { metadata: unknown }).metadata,
      expected: { labels: { c: '3' } },
    },
    {
      name: '$patch: delete in a map deletes the map',
      original: { spec: { strategy: { type: 'Recreate' }, replicas: 1 } },
      patch: { spec: { strategy: { $patch: 'delete' } } },
      want: (o) => o,
      expected: { spec: { replicas: 1 } },
    },
    {
      name: 'null deletes a field',
      original: deployment([{ name: 'a' }]),
      patch: { metadata: { labels: { app: null } }, spec: { replicas: null } },
      want: (o) => [
        (o as { metadata: { labels: unknown } }).metadata.labels,
        (o as { spec: Record<string, unknown> }).spec['replicas'],
      ],
      expected: [{}, undefined],
    },
    {
      name: '$setElementOrder orders a merged list',
      original: deployment([{ name: 'a' }, { name: 'b' }]),
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }],
              containers: [{ name: 'c' }],
            },
          },
        },
      },
      want: (o) => (podSpec(o)['containers'] as { name: string }[]).map((c) => c.name),
      expected: ['c', 'b', 'a'],
    },
    {
      name: '$setElementOrder places server-only items by their original position',
      original: deployment([{ name: 'a' }, { name: 's' }, { name: 'b' }]),
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
              containers: [{ name: 'b', image: 'x' }],
            },
          },
        },
      },
      want: (o) => (podSpec(o)['containers'] as { name: string }[]).map((c) => c.name),
      expected: ['s', 'b', 'a'],
    },
    {
      name: 'without $setElementOrder the patch order applies, server-only items keep their place',
      original: deployment([{ name: 'a' }, { name: 'b' }]),
      patch: { spec: { template: { spec: { containers: [{ name: 'c' }, { name: 'a', image: 'x' }] } } } },
      want: (o) => (podSpec(o)['containers'] as { name: string }[]).map((c) => c.name),
      expected: ['c', 'a', 'b'],
    },
    {
      name: '$retainKeys clears fields not listed (volume source switch)',
      original: deployment([{ name: 'a' }], { volumes: [{ name: 'v', hostPath: { path: '/tmp' } }] }),
      // exactly what kubectl apply sends: the old source nulled alongside $retainKeys
      patch: {
        spec: {
          template: {
            spec: { volumes: [{ name: 'v', $retainKeys: ['emptyDir', 'name'], emptyDir: {}, hostPath: null }] },
          },
        },
      },
      want: (o) => podSpec(o)['volumes'],
      expected: [{ name: 'v', emptyDir: {} }],
    },
    {
      name: 'primitive list with merge strategy unions (finalizers)',
      original: deployment([]),
      patch: { metadata: { finalizers: ['b', 'c'] } },
      want: (o) => (o as { metadata: { finalizers: unknown } }).metadata.finalizers,
      expected: ['a', 'b', 'c'],
    },
    {
      name: '$deleteFromPrimitiveList removes values',
      original: deployment([]),
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      want: (o) => (o as { metadata: { finalizers: unknown } }).metadata.finalizers,
      expected: ['b'],
    },
    {
      name: 'primitive list without merge strategy is replaced (args)',
      original: deployment([{ name: 'a', args: ['x', 'y'] }]),
      patch: { spec: { template: { spec: { containers: [{ name: 'a', args: ['z'] }] } } } },
      want: (o) => (podSpec(o)['containers'] as { args: unknown }[])[0]?.args,
      expected: ['z'],
    },
    {
      name: 'env merges by name, volumeMounts by mountPath',
      original: deployment([
        { name: 'a', env: [{ name: 'A', value: '1' }], volumeMounts: [{ name: 'v', mountPath: '/a' }] },
      ]),
      patch: {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'a',
                  env: [
                    { name: 'A', value: '2' },
                    { name: 'B', value: '3' },
                  ],
                  volumeMounts: [{ name: 'w', mountPath: '/b' }],
                },
              ],
            },
          },
        },
      },
      want: (o) => podSpec(o)['containers'],
      expected: [
        {
          name: 'a',
          env: [
            { name: 'A', value: '2' },
            { name: 'B', value: '3' },
          ],
          volumeMounts: [
            { name: 'w', mountPath: '/b' },
            { name: 'v', mountPath: '/a' },
          ],
        },
      ],
    },
    {
      name: 'type change replaces the value',
      original: { data: { a: { nested: 1 } } },
      patch: { data: { a: 'flat' } },
      want: (o) => o,
      expected: { data: { a: 'flat' } },
    },
    {
      name: 'new subtree gets its directives stripped',
      original: {},
      patch: { spec: { template: { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } } } },
      want: (o) => podSpec(o)['containers'],
      expected: [{ name: 'a', env: [{ name: 'X', value: '1' }] }],
    },
  ];

  it.each(cases)('$name', ({ original, patch, want, expected }) => {
    const before = structuredClone(original);
    const out = applyStrategicMergePatch(original, patch, deployTI);
    expect(want(out)).toEqual(expected);
    expect(original).toEqual(before);
  });

  it('merges pod containers at spec.containers for a Pod', () => {
    const out = applyStrategicMergePatch(
      { spec: { containers: [{ name: 'a', image: 'x' }] } },
      { spec: { containers: [{ name: 'b', image: 'y' }] } },
      podTI,
    );
    expect(out.spec.containers).toEqual([
      { name: 'b', image: 'y' },
      { name: 'a', image: 'x' },
    ]);
  });

  it('merges Service ports by port', () => {
    const out = applyStrategicMergePatch(
      { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
      builtinTypeInfo('', 'Service'),
    );
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090 }, { port: 443 }]);
  });

  const errors: {
    name: string;
    original: unknown;
    patch: unknown;
    status: number;
    message: string;
    detail?: string;
  }[] = [
    {
      name: 'missing merge key',
      original: deployment([{ name: 'a' }]),
      patch: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
      status: 422,
      message: 'map: map[image:x] does not contain declared merge key: name',
    },
    {
      name: 'list of lists',
      original: {},
      patch: { spec: { template: { spec: { containers: [['a']] } } } },
      status: 422,
      message: 'the server rejected our request due to an error in our request',
      detail: 'lists of lists are not supported',
    },
    {
      name: 'patch content outside $retainKeys',
      original: {},
      patch: { spec: { $retainKeys: ['a'], b: 1 } },
      status: 400,
      message: 'invalid patch format of retainKeys',
    },
    {
      name: 'bad $retainKeys format',
      original: {},
      patch: { spec: { $retainKeys: 'a' } },
      status: 400,
      message: 'invalid patch format of retainKeys',
    },
    {
      name: 'bad $setElementOrder format',
      original: {},
      patch: { spec: { '$setElementOrder/x': 'a' } },
      status: 400,
      message: 'invalid patch format of setElementOrder list',
    },
    {
      name: 'bad $deleteFromPrimitiveList format',
      original: {},
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } },
      status: 400,
      message: 'invalid patch format of primitive list',
    },
    {
      name: 'unknown $patch directive',
      original: {},
      patch: { metadata: { $patch: 'explode' } },
      status: 422,
      message: 'unknown patch type: explode in map: map[$patch:explode]',
    },
    {
      name: 'array patch',
      original: {},
      patch: [],
      status: 400,
      message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
    },
  ];
  it.each(errors)('rejects $name', ({ original, patch, status, message, detail }) => {
    let err: unknown;
    try {
      applyStrategicMergePatch(original, patch, deployTI);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatchError);
    expect((err as PatchError).status).toBe(status);
    expect((err as PatchError).message).toBe(message);
    if (detail !== undefined) expect((err as PatchError).detail).toBe(detail);
  });

  it('treats __proto__ and constructor as plain keys and leaves Object.prototype alone', () => {
    const cm = JSON.parse('{"data":{"__proto__":"a"}}') as unknown;
    const out = applyStrategicMergePatch(
      cm,
      JSON.parse('{"data":{"__proto__":"b","constructor":"c"},"__proto__":{"polluted":"yes"}}') as unknown,
      undefined,
    ) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe('{"data":{"__proto__":"b","constructor":"c"},"__proto__":{"polluted":"yes"}}');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
