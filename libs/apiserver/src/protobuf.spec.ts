import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from './protobuf.ts';

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

describe('Kubernetes protobuf decoding', () => {
  it('decodes a ConfigMap as kubectl create sends it (zero values dropped)', () => {
    const w = new BinaryWriter();
    // ObjectMeta: name, generateName "", namespace, labels
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

  it('decodes a SelfSubjectAccessReview', () => {
    const w = new BinaryWriter();
    w.tag(1, WireType.LengthDelimited).fork().join();
    w.tag(2, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string('ns')
      .tag(2, WireType.LengthDelimited)
      .string('list')
      .tag(5, WireType.LengthDelimited)
      .string('pods')
      .join();
    w.join();
    expect(
      decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', w.finish())),
    ).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'ns', verb: 'list', resource: 'pods' } },
    });
  });

  it('rejects bodies without the k8s prefix (400) and kinds it cannot decode (415)', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from('{}'))).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => decodeKubernetesProtobuf(envelope('v1', 'PodTemplate', new Uint8Array()))).toThrow(
      expect.objectContaining({ code: 415 }),
    );
  });
});
