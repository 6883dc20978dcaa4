import { describe, expect, it } from 'vitest';
import { ApplyConflictError, applyServerSide, updateManagedFields } from './managed-fields.ts';
import type { ManagedFieldsEntry } from './managed-fields.ts';
import { builtinTypeInfo } from '../typeinfo/builtin.ts';
import { crdTypeInfo } from '../typeinfo/crd.ts';
import type { TypeInfo } from '../typeinfo/types.ts';

const ti = builtinTypeInfo('apps', 'Deployment') as TypeInfo;
const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';
const T2 = '2026-01-01T00:02:00Z';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures are free-form JSON

const nginx = (replicas = 3, extra: Obj = {}): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
    },
    ...extra,
  },
});

/** What the server stores after a create: server-populated metadata added. */
const stored = (obj: Obj): Obj => ({
  ...obj,
  metadata: { ...obj.metadata, uid: 'u1', resourceVersion: '1', creationTimestamp: T0 },
});

const apply = (live: Obj | undefined, applied: Obj, manager: string, opts: { force?: boolean; now?: string } = {}) =>
  applyServerSide({
    live,
    applied,
    manager,
    force: opts.force,
    typeInfo: ti,
    apiVersion: 'apps/v1',
    now: opts.now ?? T1,
  }).object as Obj;

const entries = (obj: Obj): ManagedFieldsEntry[] => obj.metadata.managedFields;
const entry = (obj: Obj, manager: string): ManagedFieldsEntry | undefined =>
  entries(obj).find((e) => e.manager === manager);

const conflictOf = (fn: () => unknown): ApplyConflictError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApplyConflictError) return e;
    throw e;
  }
  throw new Error('expected an apply conflict');
};

describe('applyServerSide', () => {
  it('creates an object and records fieldsV1 the way kube-apiserver does for a Deployment', () => {
    const obj = apply(undefined, nginx(), 'kubectl', { now: T0 });
    expect(obj.spec.replicas).toBe(3);
    expect(entries(obj)).toHaveLength(1);
    // Hand-built from the managedFields a real apiserver returns for `kubectl apply --server-side`
    // of this manifest: no f:name/f:namespace (stripped), f:selector atomic, ports keyed by containerPort+protocol
    // with protocol's default TCP, `.` for list items.
    const expected = {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    };
    // JSON text comparison checks key order too
    expect(JSON.stringify(entries(obj)[0])).toBe(JSON.stringify(expected));
  });

  it('shares ownership when two managers apply the same value', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const b = apply(
      a,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 3 } },
      'b',
    );
    expect(entry(b, 'a')?.fieldsV1['f:spec']).toHaveProperty(['f:replicas']);
    expect(entry(b, 'b')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    // the apply changed nothing in the object, so (like Kubernetes) it stamps no time
    expect(entry(b, 'b')?.time).toBeUndefined();
  });

  it('conflicts when another applier owns a field with a different value', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const err = conflictOf(() =>
      apply(a, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 5 } }, 'b'),
    );
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "a": .spec.replicas');
    expect(err.conflicts).toEqual([{ manager: 'a', field: '.spec.replicas', message: 'conflict with "a"' }]);
    expect(err.status).toBe(409);
  });

  it('conflicts with an Update manager naming its apiVersion (kubectl-client-side-apply)', () => {
    const created = nginx(3);
    const mf = updateManagedFields({
      live: undefined,
      updated: created,
      manager: 'kubectl-client-side-apply',
      typeInfo: ti,
      apiVersion: 'apps/v1',
      now: T0,
    });
    const live = stored({ ...created, metadata: { ...created.metadata, managedFields: mf } });
    const err = conflictOf(() =>
      apply(
        live,
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 1 } },
        'kubectl',
      ),
    );
    expect(err.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
  });

  it('lists several conflicts grouped by manager', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const changed = nginx(5);
    changed.spec.template.spec.containers[0].image = 'nginx:2';
    const err = conflictOf(() => apply(a, changed, 'b'));
    expect(err.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
    expect(err.conflicts.map((c) => c.field)).toEqual([
      '.spec.replicas',
      '.spec.template.spec.containers[name="nginx"].image',
    ]);
  });

  it('force takes ownership away from the other manager', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const b = apply(
      a,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 5 } },
      'b',
      { force: true },
    );
    expect(b.spec.replicas).toBe(5);
    expect(entry(b, 'a')?.fieldsV1['f:spec']).not.toHaveProperty(['f:replicas']);
    expect(entry(b, 'b')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
  });

  it('removes fields the manager applied before and no longer applies', () => {
    const first = nginx(3);
    first.metadata.labels = { app: 'nginx', tier: 'web' };
    const a = stored(apply(undefined, first, 'a', { now: T0 }));
    const b = apply(a, nginx(3), 'a');
    expect(b.metadata.labels).toEqual({ app: 'nginx' });
    expect(entry(b, 'a')?.fieldsV1['f:metadata']).toEqual({ 'f:labels': { 'f:app': {} } });
  });

  it('keeps a field it stops applying when another manager also owns it', () => {
    const first = nginx(3);
    first.metadata.labels = { app: 'nginx', tier: 'web' };
    const a = stored(apply(undefined, first, 'a', { now: T0 }));
    const shared = stored(
      apply(
        a,
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', labels: { tier: 'web' } } },
        'b',
      ),
    );
    const after = apply(shared, nginx(3), 'a', { now: T2 });
    expect(after.metadata.labels).toEqual({ app: 'nginx', tier: 'web' });
    expect(entry(after, 'b')?.fieldsV1).toEqual({ 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
  });

  it('owns list-map items per key: another manager adds a container, each removes only its own', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const sidecar = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx' },
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
    };
    const b = stored(apply(a, sidecar, 'b'));
    expect(b.spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['nginx', 'sidecar']);
    expect(entry(b, 'b')?.fieldsV1).toEqual({
      'f:spec': {
        'f:template': {
          'f:spec': { 'f:containers': { 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
    // b stops applying its container: only the sidecar goes
    const c = stored(
      apply(
        b,
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { paused: false } },
        'b',
        { now: T2 },
      ),
    );
    expect(c.spec.template.spec.containers.map((x: Obj) => x.name)).toEqual(['nginx']);
    expect(c.spec.paused).toBe(false);
  });

  it('treats set lists item by item', () => {
    const base = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', finalizers: ['x'] } };
    const a = stored(apply(undefined, base, 'a', { now: T0 }));
    const b = apply(a, { ...base, metadata: { name: 'nginx', finalizers: ['y'] } }, 'b');
    expect(b.metadata.finalizers).toEqual(['x', 'y']);
    expect(entry(b, 'a')?.fieldsV1).toEqual({ 'f:metadata': { 'f:finalizers': { 'v:"x"': {} } } });
    expect(entry(b, 'b')?.fieldsV1).toEqual({ 'f:metadata': { 'f:finalizers': { 'v:"y"': {} } } });
  });

  it('treats atomic lists and atomic maps as one field', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const sel = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx' },
      spec: { selector: { matchLabels: { app: 'other' } } },
    };
    const err = conflictOf(() => apply(a, sel, 'b'));
    expect(err.conflicts.map((c) => c.field)).toEqual(['.spec.selector']);

    const withArgs = nginx(3);
    withArgs.spec.template.spec.containers[0].args = ['a', 'b'];
    const a2 = stored(apply(undefined, withArgs, 'a', { now: T0 }));
    const other = nginx(3);
    other.spec.template.spec.containers[0].args = ['a'];
    const err2 = conflictOf(() => apply(a2, other, 'b'));
    expect(err2.conflicts.map((c) => c.field)).toEqual(['.spec.template.spec.containers[name="nginx"].args']);
  });

  it('uses x-kubernetes-list-type map keys of a CRD', () => {
    const crdTI = crdTypeInfo({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            items: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['id'],
              items: { type: 'object', properties: { id: { type: 'string' }, v: { type: 'string' } } },
            },
          },
        },
      },
    });
    const cr = (items: Obj[]) => ({ apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 't' }, spec: { items } });
    const a = stored(
      applyServerSide({
        live: undefined,
        applied: cr([{ id: 'a', v: '1' }]),
        manager: 'a',
        typeInfo: crdTI,
        apiVersion: 'x.io/v1',
        now: T0,
      }).object,
    );
    const b = applyServerSide({
      live: a,
      applied: cr([{ id: 'b', v: '2' }]),
      manager: 'b',
      typeInfo: crdTI,
      apiVersion: 'x.io/v1',
      now: T1,
    }).object as Obj;
    expect(b.spec.items).toEqual([
      { id: 'a', v: '1' },
      { id: 'b', v: '2' },
    ]);
    expect(entries(b).map((e) => e.manager)).toEqual(['a', 'b']);
  });

  it('removes a whole list-map item it stops applying, fields and keys together', () => {
    const crdTI = crdTypeInfo({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            items: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['id'],
              items: { type: 'object' },
            },
          },
        },
      },
    });
    const cr = (items: Obj[]) => ({ apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 't' }, spec: { items } });
    const run = (live: Obj | undefined, items: Obj[], manager: string) =>
      applyServerSide({ live, applied: cr(items), manager, typeInfo: crdTI, apiVersion: 'x.io/v1', now: T1 })
        .object as Obj;
    const one = stored(run(undefined, [{ id: 'a', v: '1' }], 'm1'));
    const two = stored(run(one, [{ id: 'b', v: '2' }], 'm2'));
    // m1 moves to item b with another value: conflict with m2 on b.v, item a is not half-removed
    expect(conflictOf(() => run(two, [{ id: 'b', v: '3' }], 'm1')).message).toBe(
      'Apply failed with 1 conflict: conflict with "m2": .spec.items[id="b"].v',
    );
    // with the same value it co-owns b, and its old item a goes entirely
    const three = run(two, [{ id: 'b', v: '2' }], 'm1');
    expect(three.spec.items).toEqual([{ id: 'b', v: '2' }]);
  });

  it('creates a before-first-apply manager for an object that had no managed fields', () => {
    const live = stored(nginx(3));
    const err = conflictOf(() =>
      apply(
        live,
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 1 } },
        'kubectl',
      ),
    );
    expect(err.message).toBe(
      'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
    );

    const same = apply(live, nginx(3), 'kubectl');
    expect(entries(same).map((e) => [e.manager, e.operation])).toEqual([
      ['kubectl', 'Apply'],
      ['before-first-apply', 'Update'],
    ]);
    expect(entry(same, 'before-first-apply')?.fieldsV1['f:spec']).toHaveProperty(['f:replicas']);
  });

  it('sorts Apply entries before Update entries, then by time', () => {
    const created = nginx(3);
    const mf = updateManagedFields({
      live: undefined,
      updated: created,
      manager: 'creator',
      typeInfo: ti,
      apiVersion: 'apps/v1',
      now: T0,
    });
    const live = stored({ ...created, metadata: { ...created.metadata, managedFields: mf } });
    const out = apply(
      live,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', annotations: { a: 'b' } } },
      'z-applier',
      { now: T2 },
    );
    expect(entries(out).map((e) => `${e.operation}/${e.manager}`)).toEqual(['Apply/z-applier', 'Update/creator']);
  });

  it('keeps the time of a no-op re-apply and reports no change', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const res = applyServerSide({
      live: a,
      applied: nginx(3),
      manager: 'a',
      typeInfo: ti,
      apiVersion: 'apps/v1',
      now: T2,
    });
    expect(res.changed).toBe(false);
    expect(entry(res.object, 'a')?.time).toBe(T0);
  });

  it('ignores the given fields (status on the main resource)', () => {
    const withStatus = { ...nginx(3), status: { replicas: 9 } };
    const live = stored({ ...nginx(3), status: { replicas: 1 } });
    const out = applyServerSide({
      live,
      applied: withStatus,
      manager: 'a',
      typeInfo: ti,
      apiVersion: 'apps/v1',
      now: T1,
      ignoredFields: [['status']],
    }).object as Obj;
    expect(out.status).toEqual({ replicas: 1 });
    expect(entry(out, 'a')?.fieldsV1).not.toHaveProperty(['f:status']);
  });

  it('owns an empty object as a leaf (emptyDir: {})', () => {
    const withVol = nginx(3);
    withVol.spec.template.spec.volumes = [{ name: 'cache', emptyDir: {} }];
    const obj = apply(undefined, withVol, 'a', { now: T0 });
    expect((entry(obj, 'a')?.fieldsV1 as Obj)['f:spec']['f:template']['f:spec']['f:volumes']).toEqual({
      'k:{"name":"cache"}': { '.': {}, 'f:emptyDir': {}, 'f:name': {} },
    });
    expect(obj.spec.template.spec.volumes).toEqual([{ name: 'cache', emptyDir: {} }]);
  });

  it('an applied null clears the field, owns it, and conflicts with another owner', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const nulled = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: null } };
    expect(conflictOf(() => apply(a, nulled, 'b')).conflicts.map((c) => c.field)).toEqual(['.spec.replicas']);
    const forced = apply(a, nulled, 'b', { force: true });
    expect(forced.spec).not.toHaveProperty('replicas');
    expect(entry(forced, 'b')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
  });

  it('only other appliers protect a field from removal, not Update managers', () => {
    // kubectl create (Update) sets the label, the applier applies the same value (shared), then stops applying it
    const first = nginx(3);
    first.metadata.labels = { app: 'nginx', tier: 'web' };
    const mf = updateManagedFields({
      live: undefined,
      updated: first,
      manager: 'kubectl-create',
      typeInfo: ti,
      apiVersion: 'apps/v1',
      now: T0,
    });
    const live = stored({ ...first, metadata: { ...first.metadata, managedFields: mf } });
    const applied = stored(apply(live, first, 'a'));
    expect(entry(applied, 'kubectl-create')?.fieldsV1['f:metadata']).toEqual({
      'f:labels': { '.': {}, 'f:app': {}, 'f:tier': {} },
    });
    const after = apply(applied, nginx(3), 'a', { now: T2 });
    expect(after.metadata.labels).toEqual({ app: 'nginx' });
    expect(entry(after, 'kubectl-create')?.fieldsV1['f:metadata']).toEqual({ 'f:labels': { '.': {}, 'f:app': {} } });
  });

  it('names the subresource in conflicts and keeps a separate entry for it', () => {
    const cr = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, status: { replicas: 1 } };
    const s1 = stored(
      applyServerSide({
        live: undefined,
        applied: cr,
        manager: 'ctrl',
        typeInfo: ti,
        apiVersion: 'apps/v1',
        now: T0,
        subresource: 'status',
      }).object as Obj,
    );
    expect(entries(s1)[0]).toMatchObject({ manager: 'ctrl', operation: 'Apply', subresource: 'status' });
    const other = { ...cr, status: { replicas: 2 } };
    const err = conflictOf(() =>
      applyServerSide({
        live: s1,
        applied: other,
        manager: 'other',
        typeInfo: ti,
        apiVersion: 'apps/v1',
        now: T1,
        subresource: 'status',
      }),
    );
    expect(err.message).toBe(
      'Apply failed with 1 conflict: conflict with "ctrl" with subresource "status": .status.replicas',
    );
  });

  it('merges list maps in the structured-merge-diff order: live order, new applied items after live-only ones', () => {
    const three = nginx(3);
    three.spec.template.spec.containers = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    const live = stored(apply(undefined, three, 'x', { now: T0 }));
    const mine = nginx(3);
    mine.spec.template.spec.containers = [{ name: 'b' }, { name: 'new' }];
    const out = apply(
      live,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'nginx' },
        spec: { template: { spec: { containers: mine.spec.template.spec.containers } } },
      },
      'y',
    );
    expect(out.spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['a', 'b', 'c', 'new']);
  });

  it('deduces untyped (x-kubernetes-preserve-unknown-fields) subtrees: map keys are owned, lists atomic', () => {
    const crdTI = crdTypeInfo({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { values: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      },
    });
    const hr = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'h' },
      spec: { values: { image: { tag: '1' }, list: [1, 2] } },
    };
    const obj = applyServerSide({
      live: undefined,
      applied: hr,
      manager: 'kustomize-controller',
      typeInfo: crdTI,
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      now: T0,
    }).object as Obj;
    expect(entries(obj)[0]?.fieldsV1).toEqual({
      // `values` is a declared field of spec (no `.`); its untyped keys are map keys (owned themselves)
      'f:spec': { 'f:values': { 'f:image': { '.': {}, 'f:tag': {} }, 'f:list': {} } },
    });
  });

  it('owns atomic list-map items as a whole (ownerReferences)', () => {
    const ti2 = builtinTypeInfo('', 'ConfigMap') as TypeInfo;
    const cm = (ref: Obj) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', ownerReferences: [ref] },
      data: { k: 'v' },
    });
    const ref = { apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'u-1', controller: true };
    const obj = applyServerSide({
      live: undefined,
      applied: cm(ref),
      manager: 'ctrl',
      typeInfo: ti2,
      apiVersion: 'v1',
      now: T0,
    }).object as Obj;
    expect(entries(obj)[0]?.fieldsV1).toEqual({
      'f:data': { 'f:k': {} },
      'f:metadata': { 'f:ownerReferences': { 'k:{"uid":"u-1"}': {} } },
    });
    // another manager changing a field inside the item conflicts on the item itself
    const err = conflictOf(() =>
      applyServerSide({
        live: stored(obj),
        applied: cm({ ...ref, controller: false }),
        manager: 'other',
        typeInfo: ti2,
        apiVersion: 'v1',
        now: T1,
      }),
    );
    expect(err.conflicts.map((c) => c.field)).toEqual(['.metadata.ownerReferences[uid="u-1"]']);
  });

  it('rejects duplicate keys in an applied list map', () => {
    const dup = nginx(3);
    dup.spec.template.spec.containers = [{ name: 'a' }, { name: 'a' }];
    expect(() => apply(undefined, dup, 'a')).toThrow('duplicate entries for key [name="a"]');
  });

  describe('client-side to server-side apply migration (manager "kubectl")', () => {
    const csaCreated = (): Obj => {
      const manifest = nginx(3);
      const annotated = structuredClone(manifest);
      annotated.metadata.annotations = {
        'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(manifest)}\n`,
      };
      const mf = updateManagedFields({
        live: undefined,
        updated: annotated,
        manager: 'kubectl-client-side-apply',
        typeInfo: ti,
        apiVersion: 'apps/v1',
        now: T0,
      });
      return stored({ ...annotated, metadata: { ...annotated.metadata, managedFields: mf } });
    };

    it('takes fields whose live value still equals the last-applied configuration, and rewrites the annotation', () => {
      const res = applyServerSide({
        live: csaCreated(),
        applied: nginx(5),
        manager: 'kubectl',
        typeInfo: ti,
        apiVersion: 'apps/v1',
        now: T1,
      });
      const obj = res.object as Obj;
      expect(obj.spec.replicas).toBe(5);
      expect(entry(obj, 'kubectl-client-side-apply')?.fieldsV1['f:spec']).not.toHaveProperty(['f:replicas']);
      const annotation = obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] as string;
      expect(annotation.endsWith('\n')).toBe(true);
      expect(JSON.parse(annotation)).toEqual(nginx(5));
      // Go's encoder sorts keys
      expect(annotation.startsWith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels"')).toBe(true);
    });

    it('still conflicts when the live value drifted from the last-applied configuration', () => {
      const live = csaCreated();
      const scaled = structuredClone(live);
      scaled.spec.replicas = 4;
      scaled.metadata.managedFields = updateManagedFields({
        live,
        updated: scaled,
        manager: 'hpa',
        typeInfo: ti,
        apiVersion: 'apps/v1',
        now: T1,
      });
      const err = conflictOf(() =>
        applyServerSide({
          live: scaled,
          applied: nginx(5),
          manager: 'kubectl',
          typeInfo: ti,
          apiVersion: 'apps/v1',
          now: T2,
        }),
      );
      expect(err.message).toBe('Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas');
    });

    it('does not apply to other managers', () => {
      const err = conflictOf(() =>
        applyServerSide({
          live: csaCreated(),
          applied: nginx(5),
          manager: 'flux',
          typeInfo: ti,
          apiVersion: 'apps/v1',
          now: T1,
        }),
      );
      expect(err.message).toBe(
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      );
    });
  });

  it('rejects managedFields in the applied configuration', () => {
    const bad = nginx(3);
    bad.metadata.managedFields = [{ manager: 'x' }];
    expect(() => apply(undefined, bad, 'a')).toThrow('metadata.managedFields must be nil');
  });
});

describe('updateManagedFields', () => {
  it('records an Update entry on create, with `.` for new maps and list items', () => {
    const mf = updateManagedFields({
      live: undefined,
      updated: nginx(3),
      manager: 'kubectl-create',
      typeInfo: ti,
      apiVersion: 'apps/v1',
      now: T0,
    });
    expect(mf).toHaveLength(1);
    expect(mf[0]).toMatchObject({
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: T0,
      fieldsType: 'FieldsV1',
    });
    expect(mf[0]?.fieldsV1['f:metadata']).toEqual({ 'f:labels': { '.': {}, 'f:app': {} } });
    const containers = (mf[0]?.fieldsV1 as Obj)['f:spec']['f:template']['f:spec']['f:containers'];
    expect(Object.keys(containers)).toEqual(['k:{"name":"nginx"}']);
    expect(containers['k:{"name":"nginx"}']['.']).toEqual({});
  });

  it('moves ownership of a changed field from the applier to the updater (kubectl scale)', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const scaled = structuredClone(a);
    scaled.spec.replicas = 5;
    const mf = updateManagedFields({
      live: a,
      updated: scaled,
      manager: 'kubectl',
      typeInfo: ti,
      apiVersion: 'apps/v1',
      now: T1,
    });
    const byName = Object.fromEntries(mf.map((e) => [e.manager, e]));
    expect(byName['kubectl']?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(byName['a']?.fieldsV1['f:spec']).not.toHaveProperty(['f:replicas']);
    // the applier re-applying its old value now conflicts with the updater
    const live = { ...scaled, metadata: { ...scaled.metadata, managedFields: mf } };
    expect(conflictOf(() => apply(live, nginx(3), 'a', { now: T2 })).message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas',
    );
  });

  it('leaves managed fields alone when nothing changed', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const mf = updateManagedFields({
      live: a,
      updated: structuredClone(a),
      manager: 'kubectl',
      typeInfo: ti,
      apiVersion: 'apps/v1',
      now: T1,
    });
    expect(mf).toEqual(a.metadata.managedFields);
  });

  it('drops removed fields from every manager', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const edited = structuredClone(a);
    delete edited.metadata.labels;
    const mf = updateManagedFields({
      live: a,
      updated: edited,
      manager: 'kubectl-edit',
      typeInfo: ti,
      apiVersion: 'apps/v1',
      now: T1,
    });
    expect(mf.find((e) => e.manager === 'a')?.fieldsV1).not.toHaveProperty(['f:metadata']);
    expect(mf.find((e) => e.manager === 'kubectl-edit')).toBeUndefined();
  });

  it('does not start tracking an existing object without managed fields', () => {
    const live = stored(nginx(3));
    const updated = structuredClone(live);
    updated.spec.replicas = 4;
    expect(
      updateManagedFields({ live, updated, manager: 'kubectl', typeInfo: ti, apiVersion: 'apps/v1', now: T1 }),
    ).toEqual([]);
  });

  it('caps Update entries at 10, merging the oldest into ancient-changes', () => {
    let live: Obj = stored(apply(undefined, nginx(1), 'a', { now: T0 }));
    for (let i = 0; i < 12; i++) {
      const next = structuredClone(live);
      next.metadata.annotations = { ...next.metadata.annotations, [`k${i}`]: 'v' };
      const now = new Date(Date.parse(T0) + (i + 1) * 60_000);
      next.metadata.managedFields = updateManagedFields({
        live,
        updated: next,
        manager: `m${i}`,
        typeInfo: ti,
        apiVersion: 'apps/v1',
        now,
      });
      live = next;
    }
    const updates = entries(live).filter((e) => e.operation === 'Update');
    expect(updates).toHaveLength(10);
    const ancient = updates.find((e) => e.manager === 'ancient-changes');
    expect(ancient?.fieldsV1).toEqual({
      'f:metadata': { 'f:annotations': { '.': {}, 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } },
    });
    expect(updates.map((e) => e.manager)).not.toContain('m0');
    expect(updates.map((e) => e.manager)).toContain('m11');
  });

  it('honours managedFields the client sets, and resets with [{}]', () => {
    const a = stored(apply(undefined, nginx(3), 'a', { now: T0 }));
    const reset = structuredClone(a);
    reset.metadata.managedFields = [{}];
    expect(
      updateManagedFields({
        live: a,
        updated: reset,
        manager: 'kubectl',
        typeInfo: ti,
        apiVersion: 'apps/v1',
        now: T1,
      }),
    ).toEqual([]);
  });
});
