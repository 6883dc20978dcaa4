import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HelmRelease } from '@flux-ts/api';
import { postRenderResources } from '@flux-ts/helm';
import type { RenderedResources } from '@flux-ts/helm';
import {
  buildPostRenderer,
  commonMetadataDigest,
  kustomizePostRender,
  metadataPostRender,
  postRenderStrategyOf,
  postRenderersDigest,
  renderDigestChange,
  setObservedRenderDigests,
} from './postrender.ts';

// helm-controller internal/postrender common_renderer_test.go's input
const mixed = `apiVersion: v1
kind: Pod
metadata:
  name: pod-without-labels
---
apiVersion: v1
kind: Service
metadata:
  name: service-with-labels
  labels:
    existing: label
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

const hrWith = (spec: Partial<HelmRelease['spec']>, status?: HelmRelease['status']): HelmRelease =>
  ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'name', namespace: 'namespace', generation: 2 },
    spec: { interval: '10m', ...spec },
    ...(status ? { status } : {}),
  }) as HelmRelease;

describe('commonMetadata and origin labels (helm-controller common_renderer_test.go)', () => {
  it('sets labels and annotations on every object, sorted as kustomize prints them', async () => {
    const out = await metadataPostRender(mixed, {
      labels: { foo: 'bar', baz: 'qux' },
      annotations: { annotation1: 'value1', annotation2: 'value2' },
    });
    expect(out).toBe(`apiVersion: v1
kind: Pod
metadata:
  annotations:
    annotation1: value1
    annotation2: value2
  labels:
    baz: qux
    foo: bar
  name: pod-without-labels
---
apiVersion: v1
kind: Service
metadata:
  annotations:
    annotation1: value1
    annotation2: value2
  labels:
    baz: qux
    existing: label
    foo: bar
  name: service-with-labels
`);
  });

  it('adds the origin labels last, after the commonMetadata of the spec', async () => {
    const out = await buildPostRenderer(hrWith({ commonMetadata: { labels: { foo: 'bar' } } })).run(mixed);
    expect(out).toBe(`apiVersion: v1
kind: Pod
metadata:
  labels:
    foo: bar
    helm.toolkit.fluxcd.io/name: name
    helm.toolkit.fluxcd.io/namespace: namespace
  name: pod-without-labels
---
apiVersion: v1
kind: Service
metadata:
  labels:
    existing: label
    foo: bar
    helm.toolkit.fluxcd.io/name: name
    helm.toolkit.fluxcd.io/namespace: namespace
  name: service-with-labels
`);
  });

  it('leaves an empty manifest empty', async () => {
    expect(await buildPostRenderer(hrWith({})).run('')).toBe('');
  });
});

describe('kustomize post-renderer', () => {
  it('applies a strategic merge patch, a JSON 6902 patch with a target and an image override', async () => {
    const out = await kustomizePostRender(`${deployment}---\n${mixed}`, {
      patches: [
        { patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n' },
        {
          patch: '- op: add\n  path: /metadata/annotations\n  value: {patched: "yes"}\n',
          target: { kind: 'Service', name: 'service-.*' },
        },
      ],
      images: [{ name: 'nginx', newName: 'registry.local/nginx', newTag: '1.28' }],
    });
    expect(out).toContain('replicas: 3');
    expect(out).toContain('image: registry.local/nginx:1.28');
    expect(out).toMatch(/kind: Service\nmetadata:\n {2}annotations:\n {4}patched: "yes"/);
    expect(out).not.toMatch(/kind: Pod\nmetadata:\n {2}annotations/);
  });

  it('fails on a patch that matches nothing, as kustomize does', async () => {
    await expect(
      kustomizePostRender(deployment, {
        patches: [{ patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: missing\ndata: {a: b}\n' }],
      }),
    ).rejects.toThrow(/missing/);
  });
});

describe('post-render strategies over rendered resources', () => {
  const hook = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    helm.sh/hook: pre-install
spec:
  template:
    spec:
      containers: [{name: m, image: busybox}]
`;
  const rendered = (): RenderedResources => ({
    crds: [],
    manifests: [
      {
        name: 'web/templates/deploy.yaml',
        content: deployment.trimEnd(),
        head: { version: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', annotations: null } },
      },
    ],
    hooks: [
      {
        name: 'migrate',
        kind: 'Job',
        path: 'web/templates/hook.yaml',
        manifest: hook.trimEnd(),
        events: ['pre-install'],
        weight: 0,
        deletePolicies: [],
      },
    ],
    notes: '',
    manifest: '',
  });
  const pr = buildPostRenderer(hrWith({}));

  it('combined: manifests and hooks get the origin labels, the manifest keeps its # Source blocks', async () => {
    const out = await postRenderResources(rendered(), pr, 'combined');
    expect(out.manifest).toMatch(/^---\n# Source: web\/templates\/deploy.yaml\n/);
    expect(out.manifest).toContain('helm.toolkit.fluxcd.io/name: name');
    expect(out.manifest).not.toContain('postrender-filename');
    expect(out.hooks).toHaveLength(1);
    expect(out.hooks[0]).toMatchObject({ name: 'migrate', path: 'web/templates/hook.yaml', events: ['pre-install'] });
    expect(out.hooks[0]?.manifest).toContain('helm.toolkit.fluxcd.io/namespace: namespace');
  });

  it('nohooks: only the manifests go through the post-renderer', async () => {
    const out = await postRenderResources(rendered(), pr, 'nohooks');
    expect(out.manifest).toContain('helm.toolkit.fluxcd.io/name: name');
    expect(out.hooks[0]?.manifest).not.toContain('helm.toolkit.fluxcd.io');
  });

  it('separate: hooks are post-rendered in a stream of their own', async () => {
    const seen: string[] = [];
    const out = await postRenderResources(
      rendered(),
      {
        run: async (m) => {
          seen.push(m);
          return pr.run(m);
        },
      },
      'separate',
    );
    expect(seen).toHaveLength(2);
    expect(seen.map((s) => s.includes('kind: Job'))).toEqual([false, true]);
    expect(out.hooks[0]?.manifest).toContain('helm.toolkit.fluxcd.io/name: name');
  });

  it("wraps a post-renderer's failure as helm does", async () => {
    await expect(
      postRenderResources(rendered(), { run: () => Promise.reject(new Error('boom')) }, 'combined'),
    ).rejects.toThrow('error while running post render on files: boom');
  });
});

describe('digests', () => {
  const sha = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;

  it("is sha256 of Go's encoding/json of the post-renderers plus a newline (struct order, omitempty, HTML-safe)", () => {
    expect(postRenderersDigest([])).toBe(sha('[]\n'));
    expect(
      postRenderersDigest([
        {
          kustomize: {
            images: [{ name: 'nginx', newTag: '1.28' }],
            patches: [{ target: { name: 'web', kind: 'Deployment' }, patch: 'a: <b>&' }],
          },
        },
        {},
      ]),
    ).toBe(
      sha(
        '[{"kustomize":{"patches":[{"patch":"a: \\u003cb\\u003e\\u0026","target":{"kind":"Deployment","name":"web"}}],"images":[{"name":"nginx","newTag":"1.28"}]}},{}]\n',
      ),
    );
  });

  it('digests commonMetadata as annotations then labels, keys sorted', () => {
    expect(commonMetadataDigest({ labels: { b: '2', a: '1' }, annotations: { x: 'y' } })).toBe(
      sha('{"annotations":{"x":"y"},"labels":{"a":"1","b":"2"}}\n'),
    );
  });

  it('reports a changed digest only for a generation not reconciled yet, and records the observed ones', () => {
    const spec = { postRenderers: [{ kustomize: { images: [{ name: 'a', newTag: 'b' }] } }] };
    const hr = hrWith(spec, { observedGeneration: 1 });
    expect(renderDigestChange(hr)).toBe('postrenderers digest has changed');
    setObservedRenderDigests(hr);
    expect(hr.status?.observedPostRenderersDigest).toBe(postRenderersDigest(spec.postRenderers));
    expect(renderDigestChange(hr)).toBeUndefined();

    const withMeta = hrWith({ ...spec, commonMetadata: { labels: { team: 'a' } } }, { ...hr.status });
    expect(renderDigestChange(withMeta)).toBe('common metadata digest has changed');
    withMeta.status = { ...withMeta.status, observedGeneration: 2 };
    expect(renderDigestChange(withMeta)).toBeUndefined();
  });
});

describe('postRenderStrategyOf', () => {
  it('is the spec value, else combined, else nohooks with UseHelm3Defaults', () => {
    expect(postRenderStrategyOf(hrWith({}))).toBe('combined');
    expect(postRenderStrategyOf(hrWith({}), true)).toBe('nohooks');
    expect(postRenderStrategyOf(hrWith({ postRenderStrategy: 'separate' }), true)).toBe('separate');
  });
});
