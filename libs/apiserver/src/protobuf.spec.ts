import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, encodeEnvelope } from './protobuf.ts';
import { formatDuration, messageFor, parseDuration } from './protobuf/codec.ts';
import { responseFormat } from './protobuf/negotiate.ts';
import { GROUP_VERSION_PACKAGES, MESSAGES } from './protobuf/tables.ts';
import { FLAG } from './protobuf/types.ts';
import type { Obj } from './util.ts';

const envelope = (apiVersion: string, kind: string, raw: Uint8Array): Buffer => {
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited)
    .fork()
    .tag(1, WireType.LengthDelimited)
    .string(apiVersion)
    .tag(2, WireType.LengthDelimited)
    .string(kind)
    .join();
  w.tag(2, WireType.LengthDelimited).bytes(raw);
  w.tag(3, WireType.LengthDelimited).string('');
  w.tag(4, WireType.LengthDelimited).string('');
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), w.finish()]);
};

const mapEntry = (w: BinaryWriter, field: number, key: string, value: string | Uint8Array): void => {
  w.tag(field, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(key);
  if (typeof value === 'string') w.tag(2, WireType.LengthDelimited).string(value);
  else w.tag(2, WireType.LengthDelimited).bytes(value);
  w.join();
};

/** A sample JSON value of each codec type (every one non-zero, so `omitempty` keeps it). */
const SAMPLES: Record<string, unknown> = {
  string: 'v',
  bool: true,
  int32: 7,
  int64: 42,
  uint32: 3,
  uint64: 5,
  double: 1.5,
  float: 0.5,
  bytes: 'AQID',
  time: '2024-01-02T03:04:05Z',
  microtime: '2024-01-02T03:04:05.123456Z',
  duration: '1m30s',
  quantity: '100m',
  intorstring: 'http',
  raw: { a: [1, 'b'] },
  strings: ['a', 'b'],
};

/** A fixture with every field of a message set (depth-limited; a message already on the path is left out). */
const fixture = (key: string, path: readonly string[] = []): Obj => {
  const out: Obj = {};
  if (path.includes(key) || path.length > 10) return out;
  for (const [name, type, flags = 0] of Object.values(MESSAGES[key] ?? {})) {
    const value = (): unknown => (type in SAMPLES ? SAMPLES[type] : fixture(type, [...path, key]));
    if (flags & FLAG.inline) Object.assign(out, fixture(type, [...path, key]));
    else if (flags & FLAG.map) out[name] = { k: value() };
    else if (flags & FLAG.repeated) out[name] = [value()];
    else out[name] = value();
  }
  return out;
};

/** Every kind (and list) of every served group/version that has a table. */
const served = Object.entries(GROUP_VERSION_PACKAGES).flatMap(([apiVersion, pkg]) =>
  Object.keys(MESSAGES)
    .filter((k) => k.startsWith(`${pkg}.`) && MESSAGES[k]?.[1]?.[1]?.startsWith('meta.v1.'))
    .map((k) => ({ apiVersion, kind: k.slice(pkg.length + 1) })),
);

describe('Kubernetes protobuf', () => {
  it('has a table for the kinds kubectl create sends', () => {
    const kinds = new Set(served.map((s) => `${s.apiVersion}/${s.kind}`));
    for (const k of [
      'policy/v1/PodDisruptionBudget',
      'apps/v1/Deployment',
      'batch/v1/Job',
      'batch/v1/CronJob',
      'v1/Service',
      'networking.k8s.io/v1/Ingress',
      'networking.k8s.io/v1/NetworkPolicy',
      'scheduling.k8s.io/v1/PriorityClass',
      'v1/ResourceQuota',
      'v1/PodList',
    ])
      expect(kinds).toContain(k);
    expect(served.length).toBeGreaterThan(60);
  });

  it.each(served)('round-trips every field of $apiVersion $kind', ({ apiVersion, kind }) => {
    const key = messageFor(apiVersion, kind) as string;
    const o = { apiVersion, kind, ...fixture(key) };
    expect(decodeKubernetesProtobuf(Buffer.from(encodeEnvelope(o) as Uint8Array))).toEqual(o);
  });

  it('decodes a ConfigMap as kubectl create sends it (zero values dropped)', () => {
    const w = new BinaryWriter();
    w.tag(1, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited)
      .string('cfg')
      .tag(2, WireType.LengthDelimited)
      .string('')
      .tag(3, WireType.LengthDelimited)
      .string('team');
    w.tag(7, WireType.Varint).int64(0);
    w.tag(8, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .int64(-62135596800)
      .tag(2, WireType.Varint)
      .int32(0)
      .join();
    mapEntry(w, 11, 'app', 'web');
    w.join();
    mapEntry(w, 2, 'k', 'v');
    mapEntry(w, 3, 'bin', new Uint8Array([1, 2, 3]));
    expect(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', w.finish()))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'team', labels: { app: 'web' } },
      data: { k: 'v' },
      binaryData: { bin: 'AQID' },
    });
  });

  it('keeps the zeros of pointer fields and int-or-string, and inlines embedded structs', () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        replicas: 0,
        paused: false,
        template: {
          spec: {
            containers: [{ name: 'c', env: [{ name: 'E', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] }],
            volumes: [{ name: 'v', emptyDir: {} }],
          },
        },
        strategy: { rollingUpdate: { maxUnavailable: 0 } },
      },
    };
    const { paused: _, ...spec } = dep.spec;
    expect(decodeKubernetesProtobuf(Buffer.from(encodeEnvelope(dep) as Uint8Array))).toEqual({ ...dep, spec });
  });

  it('decodes DeleteOptions sent with any group/version (registered in every group)', () => {
    const w = new BinaryWriter();
    w.tag(4, WireType.LengthDelimited).string('Foreground');
    expect(decodeKubernetesProtobuf(envelope('apps/v1', 'DeleteOptions', w.finish()))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Foreground',
    });
  });

  it('rejects bodies without the k8s prefix (400) and kinds it has no message for (415)', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from('{}'))).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => decodeKubernetesProtobuf(envelope('example.com/v1', 'Widget', new Uint8Array()))).toThrow(
      expect.objectContaining({ code: 415 }),
    );
  });

  it("writes and reads durations as Go's time.Duration", () => {
    for (const [ns, s] of [
      [0, '0s'],
      [1_500_000_000, '1.5s'],
      [3_600e9, '1h0m0s'],
      [90e9, '1m30s'],
      [300e6, '300ms'],
      [-2e9, '-2s'],
    ] as const) {
      expect(formatDuration(ns)).toBe(s);
      expect(parseDuration(s)).toBe(ns);
    }
  });

  it('negotiates protobuf only when Accept prefers it and the kind has it', () => {
    const kubectl = 'application/vnd.kubernetes.protobuf,application/json';
    expect(responseFormat(kubectl, true)).toBe('protobuf');
    expect(responseFormat(kubectl, false)).toBe('json');
    expect(responseFormat('application/json;q=0.9,application/vnd.kubernetes.protobuf', true)).toBe('protobuf');
    expect(
      responseFormat('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json', true),
    ).toBe('json');
    expect(responseFormat(undefined, true)).toBe('json');
    expect(() => responseFormat('application/vnd.kubernetes.protobuf', false)).toThrow(
      expect.objectContaining({
        code: 406,
        message: 'only the following media types are accepted: application/json, application/yaml',
      }),
    );
  });
});
