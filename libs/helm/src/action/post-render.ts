// helm 4's post-rendering of pkg/action renderResources (annotateAndMerge, PostRenderer.Run, splitAndDeannotate,
// then SortManifests again), with its PostRenderStrategy: `nohooks` sends only the manifests to the post-renderer
// (helm 3's behaviour), `combined` the manifests and the hooks in one stream, `separate` the manifests and the hooks
// in two streams. Each document carries its template name in an annotation through the post-renderer, so the
// release manifest keeps its `# Source:` blocks and the hooks stay hooks.
import { isMap, parseAllDocuments, parseDocument } from 'yaml';
import { INSTALL_ORDER } from '../releaseutil/kind-sorter.ts';
import { splitManifestList } from '../releaseutil/manifest.ts';
import { sortManifests } from '../releaseutil/manifest-sorter.ts';
import { sourceBlock, type RenderedResources } from '../releaseutil/render-resources.ts';

/** postrender.PostRenderer: transforms a stream of YAML documents. */
export interface PostRenderer {
  run(manifests: string): string | Promise<string>;
}

/** action.PostRenderStrategy: which rendered documents go through the post-renderer. */
export type PostRenderStrategy = 'nohooks' | 'combined' | 'separate';

/** The annotation a document's template name travels in through the post-renderer. */
export const POSTRENDER_FILENAME_ANNOTATION = 'postrenderer.helm.sh/postrender-filename';

/** Every scalar read as the string it is written as: documents are re-emitted without changing a value's text. */
const FAILSAFE = { schema: 'failsafe' } as const;

interface Doc {
  name: string;
  content: string;
}

/** The documents as one stream, each annotated with its template name. */
function annotateAndMerge(docs: readonly Doc[]): string {
  const out: string[] = [];
  for (const d of docs) {
    for (const part of splitManifestList(d.content)) {
      const doc = parseDocument(part, FAILSAFE);
      if (doc.errors.length > 0) throw new Error(`parsing ${d.name}: ${doc.errors[0]?.message ?? ''}`);
      if (doc.contents === null) continue;
      doc.setIn(['metadata', 'annotations', POSTRENDER_FILENAME_ANNOTATION], d.name);
      out.push(doc.toString({ lineWidth: 0 }));
    }
  }
  return out.join('---\n');
}

/** The post-rendered stream back into template name → documents, the annotation removed. */
function splitAndDeannotate(stream: string): Map<string, string> {
  const files = new Map<string, string>();
  let i = 0;
  for (const doc of parseAllDocuments(stream, FAILSAFE)) {
    if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message ?? 'invalid YAML');
    if (doc.contents === null) continue;
    const annotations = doc.getIn(['metadata', 'annotations']);
    const name = isMap(annotations) ? annotations.get(POSTRENDER_FILENAME_ANNOTATION) : undefined;
    const fname = typeof name === 'string' && name !== '' ? name : `generated-by-postrender-${i}.yaml`;
    if (isMap(annotations) && annotations.has(POSTRENDER_FILENAME_ANNOTATION)) {
      annotations.delete(POSTRENDER_FILENAME_ANNOTATION);
      if (annotations.items.length === 0) doc.deleteIn(['metadata', 'annotations']);
    }
    const text = doc.toString({ lineWidth: 0 });
    const prev = files.get(fname);
    files.set(fname, prev === undefined ? text : `${prev}\n---\n${text}`);
    i++;
  }
  return files;
}

async function runOn(pr: PostRenderer, docs: readonly Doc[]): Promise<Map<string, string>> {
  if (docs.length === 0) return new Map();
  return splitAndDeannotate(await pr.run(annotateAndMerge(docs)));
}

/**
 * Runs the post-renderer over the rendered resources by `strategy` (default `nohooks`, helm 3's) and sorts the
 * result into manifests and hooks again; errors are helm's `error while running post render on files: …`.
 */
export async function postRenderResources(
  rendered: RenderedResources,
  pr: PostRenderer,
  strategy: PostRenderStrategy = 'nohooks',
  log?: (line: string) => void,
): Promise<RenderedResources> {
  const manifests: Doc[] = rendered.manifests.map((m) => ({ name: m.name, content: m.content }));
  const hooks: Doc[] = rendered.hooks.map((h) => ({ name: h.path, content: h.manifest }));
  const files = new Map<string, string>();
  const add = (m: Map<string, string>): void => {
    for (const [k, v] of m) files.set(k, files.has(k) ? `${files.get(k) ?? ''}\n---\n${v}` : v);
  };
  try {
    if (strategy === 'combined') add(await runOn(pr, [...manifests, ...hooks]));
    else {
      add(await runOn(pr, manifests));
      if (strategy === 'separate') add(await runOn(pr, hooks));
      else add(new Map(hooks.map((h) => [h.name, h.content])));
    }
  } catch (e) {
    throw new Error(`error while running post render on files: ${(e as Error).message}`, { cause: e });
  }
  const sorted = sortManifests(files, { ordering: INSTALL_ORDER, ...(log ? { log } : {}) });
  let manifest = '';
  for (const c of rendered.crds) manifest += sourceBlock(c.filename, c.data.toString('utf8'));
  for (const m of sorted.manifests) manifest += sourceBlock(m.name, m.content);
  return { ...rendered, manifests: sorted.manifests, hooks: sorted.hooks, manifest };
}
