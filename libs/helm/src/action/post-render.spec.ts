import { describe, expect, it } from 'vitest';
import { renderResources } from '../releaseutil/render-resources.ts';
import { loadFiles } from '../chart/loader.ts';
import { postRenderResources, POSTRENDER_FILENAME_ANNOTATION } from './post-render.ts';

// helm 4 action_test.go TestRenderResources_PostRenderer_*: a string post-renderer over a chart's output
const chart = loadFiles([
  { name: 'Chart.yaml', data: Buffer.from('apiVersion: v2\nname: hello\nversion: 0.1.0\n') },
  {
    name: 'templates/cm.yaml',
    data: Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: test-cm\ndata:\n  greeting: hello\n'),
  },
  {
    name: 'templates/hook.yaml',
    data: Buffer.from(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hook-cm\n  annotations:\n    helm.sh/hook: post-install\ndata:\n  greeting: hello\n',
    ),
  },
]);
const files = new Map([
  ['hello/templates/cm.yaml', chart.templates[0]?.data.toString() ?? ''],
  ['hello/templates/hook.yaml', chart.templates[1]?.data.toString() ?? ''],
]);
const yellow = { run: (s: string) => s.replaceAll('hello', 'yellow') };

describe('postRenderResources', () => {
  it('combined: one stream with the hooks; # Source blocks and hooks kept, the annotation removed', async () => {
    const calls: string[] = [];
    const out = await postRenderResources(
      renderResources(chart, files),
      {
        run: (s) => {
          calls.push(s);
          return yellow.run(s);
        },
      },
      'combined',
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain(`${POSTRENDER_FILENAME_ANNOTATION}: hello/templates/hook.yaml`);
    // the post-renderer rewrote the template names too, as in helm's test
    expect(out.manifest).toMatch(
      /^---\n# Source: yellow\/templates\/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n {2}name: test-cm\ndata:\n {2}greeting: yellow\n+$/,
    );
    expect(out.hooks.map((h) => [h.name, h.path, h.events])).toEqual([
      ['hook-cm', 'yellow/templates/hook.yaml', ['post-install']],
    ]);
    expect(out.hooks[0]?.manifest).toContain('greeting: yellow');
    expect(out.hooks[0]?.manifest).not.toContain(POSTRENDER_FILENAME_ANNOTATION);
  });

  it('nohooks: the hooks are left as rendered', async () => {
    const out = await postRenderResources(renderResources(chart, files), yellow, 'nohooks');
    expect(out.manifest).toContain('greeting: yellow');
    expect(out.hooks[0]?.manifest).toContain('greeting: hello');
  });

  it('names a document the post-renderer added without the annotation generated-by-postrender-<i>.yaml', async () => {
    const extra = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: added\n';
    const out = await postRenderResources(
      renderResources(chart, files),
      { run: (s) => `${s}---\n${extra}` },
      'nohooks',
    );
    expect(out.manifest).toContain('# Source: generated-by-postrender-1.yaml\napiVersion: v1\nkind: Namespace');
    // install order: the Namespace comes first
    expect(out.manifest.indexOf('kind: Namespace')).toBeLessThan(out.manifest.indexOf('kind: ConfigMap'));
  });
});

describe('postRenderResources keeps scalars as written', () => {
  it('re-emits numbers, booleans and quoting of the documents unchanged', async () => {
    const cm =
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  mode: 0644\n  hex: 0x1F\n  big: 012345678901234567890\n  on: yes\n  q: "1.0"\n';
    const out = await postRenderResources(
      renderResources(chart, new Map([['hello/templates/s.yaml', cm]])),
      { run: (s) => s },
      'nohooks',
    );
    expect(out.manifest).toContain(
      'data:\n  mode: 0644\n  hex: 0x1F\n  big: 012345678901234567890\n  on: yes\n  q: "1.0"\n',
    );
  });
});
