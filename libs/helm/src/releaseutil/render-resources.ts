// The parts of helm 3.18.0's pkg/action (renderResources, Chart.CRDObjects) and cmd/helm/template.go that turn the
// engine's output into what `helm template` prints: NOTES.txt pulled out, SortManifests, the CRDs of crds/ when
// included, the `---\n# Source: …\n` blocks, hooks after the manifests, --show-only and --output-dir.
import { posix } from 'node:path';
import type { Chart } from '../chart/chart.ts';
import { goMatch } from '../chart/helmignore.ts';
import { INSTALL_ORDER } from './kind-sorter.ts';
import { bySplitManifestsOrder, goTrimSpace, splitManifests } from './manifest.ts';
import { sortManifests, type Hook, type Manifest } from './manifest-sorter.ts';

/** chart.CRD: a file of a chart's crds/ directory. */
export interface Crd {
  /** The file's name in its chart (`crds/x.yaml`). */
  name: string;
  /** The path printed in `# Source:` (`<chart full path>/crds/x.yaml`). */
  filename: string;
  data: Buffer;
}

/** Chart.CRDObjects: the `.yaml`/`.yml`/`.json` files under crds/ of the chart, then of its dependencies. */
export function crdObjects(chart: Chart): Crd[] {
  const out: Crd[] = [];
  for (const f of chart.files) {
    if (!f.name.startsWith('crds/')) continue;
    const base = f.name.slice(f.name.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    const ext = dot < 0 ? '' : base.slice(dot).toLowerCase();
    if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') continue;
    out.push({ name: f.name, filename: posix.join(chart.chartFullPath(), f.name), data: f.data });
  }
  for (const d of chart.dependencies()) out.push(...crdObjects(d));
  return out;
}

/** Options of {@link renderResources}. */
export interface RenderResourcesOptions {
  /** `--include-crds`: the crds/ files come first in the manifest. */
  includeCrds?: boolean;
  /** `--render-subchart-notes`: the subcharts' NOTES.txt are part of the notes. */
  subNotes?: boolean;
  /** Helm's log lines (unknown hooks), printed on stderr by the CLI. */
  log?: (line: string) => void;
}

/** What renderResources gives the install action (rel.Manifest, rel.Hooks, rel.Info.Notes) and its parts. */
export interface RenderedResources {
  /** The CRDs (only when included). */
  crds: Crd[];
  manifests: Manifest[];
  hooks: Hook[];
  notes: string;
  /** rel.Manifest: the `---\n# Source: …\n` blocks of the CRDs and manifests. */
  manifest: string;
}

const NOTES = 'NOTES.txt';

/** A `---\n# Source: NAME\nCONTENT\n` block, as renderResources and template.go print each document. */
export function sourceBlock(name: string, content: string): string {
  return `---\n# Source: ${name}\n${content}\n`;
}

/**
 * action.renderResources after engine.Render: `files` is the engine's output (template name → text). NOTES.txt files
 * are removed (the root chart's, or every one with subNotes, become the notes), the rest goes through SortManifests
 * (its errors are thrown: `YAML parse error on …`), and the manifest is assembled: CRDs when included, then the
 * manifests in kind order.
 */
export function renderResources(
  chart: Chart,
  files: ReadonlyMap<string, string>,
  opts: RenderResourcesOptions = {},
): RenderedResources {
  const rest = new Map<string, string>();
  const notes: string[] = [];
  const rootNotes = posix.join(chart.name(), 'templates', NOTES);
  // Helm walks its map in random order; the notes of several charts join in name order here
  for (const [k, v] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (k.endsWith(NOTES)) {
      if ((opts.subNotes ?? false) || k === rootNotes) notes.push(v);
      continue;
    }
    rest.set(k, v);
  }
  const { hooks, manifests } = sortManifests(rest, {
    ordering: INSTALL_ORDER,
    ...(opts.log ? { log: opts.log } : {}),
  });
  const crds = (opts.includeCrds ?? false) ? crdObjects(chart) : [];
  let manifest = '';
  for (const c of crds) manifest += sourceBlock(c.filename, c.data.toString('utf8'));
  for (const m of manifests) manifest += sourceBlock(m.name, m.content);
  return { crds, manifests, hooks, notes: notes.join('\n'), manifest };
}

/** The `helm template` flags that shape its output. */
export interface TemplateOutputOptions {
  /** `--no-hooks`. */
  noHooks?: boolean;
  /** `--skip-tests`: hooks with the `test` event are left out. */
  skipTests?: boolean;
  /** `--show-only` / `-s`: only the documents whose template matches one of these patterns (Go filepath.Match). */
  showOnly?: readonly string[];
}

/** cmd/helm's isTestHook. */
export function isTestHook(h: Hook): boolean {
  return h.events.includes('test');
}

const SOURCE_NAME = /# Source: [^/\n]+\/(.+)/;

/**
 * What `helm template` writes on stdout for a release manifest and hooks: the manifest trimmed plus a newline, the
 * hooks' blocks unless `--no-hooks`, or with `--show-only` the matching documents of that text, each as
 * `---\n<doc>\n` (throws `could not find template <pattern> in chart` when a pattern matches none).
 */
export function templateOutput(manifest: string, hooks: readonly Hook[], opts: TemplateOutputOptions = {}): string {
  let out = goTrimSpace(manifest) + '\n';
  if (!(opts.noHooks ?? false)) {
    for (const h of hooks) {
      if ((opts.skipTests ?? false) && isTestHook(h)) continue;
      out += sourceBlock(h.path, h.manifest);
    }
  }
  const showOnly = opts.showOnly ?? [];
  if (showOnly.length === 0) return out;
  const split = splitManifests(out);
  const keys = [...split.keys()].sort(bySplitManifestsOrder);
  const selected: string[] = [];
  for (const f of showOnly) {
    let missing = true;
    for (const k of keys) {
      const doc = split.get(k) ?? '';
      const m = SOURCE_NAME.exec(doc);
      if (m === null) continue;
      let matched = false;
      try {
        matched = goMatch(f, m[1] ?? '');
      } catch {
        // filepath.ErrBadPattern: not a match
      }
      if (!matched) continue;
      selected.push(doc);
      missing = false;
    }
    if (missing) throw new Error(`could not find template ${f} in chart`);
  }
  return selected.map((d) => `---\n${d}\n`).join('');
}

/** One file write of `--output-dir` (helm appends when a file is written again in the same run). */
export interface OutputFileWrite {
  /** `<dir>/<name>` joined with `/` as helm joins it. */
  path: string;
  /** The block written (`---\n# Source: NAME\nDATA\n`). */
  data: string;
  append: boolean;
}

/** Options of {@link outputDirPlan}. */
export interface OutputDirOptions {
  outputDir: string;
  releaseName: string;
  /** `--release-name`: manifests and hooks go under `<dir>/<release>/` (CRDs stay in `<dir>/`). */
  useReleaseName?: boolean;
  noHooks?: boolean;
  skipTests?: boolean;
}

/**
 * `helm template --output-dir`: the writes in helm's order (CRDs when included, manifests, then hooks), each
 * followed on stdout by `wrote <path>`; stdout ends with the (then empty) manifest's line, a lone newline.
 */
export function outputDirPlan(r: RenderedResources, opts: OutputDirOptions): OutputFileWrite[] {
  const writes: OutputFileWrite[] = [];
  const dir = opts.useReleaseName ? posix.join(opts.outputDir, opts.releaseName) : opts.outputDir;
  const written = new Set<string>();
  const write = (base: string, name: string, data: string, fileKey: string, seen: Set<string>): void => {
    writes.push({ path: `${base}/${name}`, data: sourceBlock(name, data), append: seen.has(fileKey) });
    seen.add(fileKey);
  };
  for (const c of r.crds) write(opts.outputDir, c.filename, c.data.toString('utf8'), c.filename, written);
  for (const m of r.manifests) write(dir, m.name, m.content, m.name, written);
  if (!(opts.noHooks ?? false)) {
    for (const h of r.hooks) {
      if ((opts.skipTests ?? false) && isTestHook(h)) continue;
      // helm 3.18.0 appends a hook to the file its template's manifests went to (checked with the binary)
      write(dir, h.path, h.manifest, h.path, written);
    }
  }
  return writes;
}
