// `helm template` as a function: the install action in client-only dry-run mode (helm 3.18.0 pkg/action/install.go
// RunWithContext → renderResources) and the printing of cmd/helm/template.go.
import type { Chart } from '../chart/chart.ts';
import { prepareRender } from '../chart/render.ts';
import { renderTemplates, type RenderOptions } from '../engine/render.ts';
import type { Values } from '../values/yaml.ts';
import {
  outputDirPlan,
  renderResources,
  templateOutput,
  type OutputFileWrite,
  type RenderedResources,
} from './render-resources.ts';

/** An engine: template name → rendered text (as engine.Render / renderChart). */
export type RenderFunc = (chart: Chart, userValues: Values, opts: RenderOptions) => Map<string, string>;

/** Options of {@link helmTemplate}: the engine's (release, capabilities, schema) plus the flags of `helm template`. */
export interface HelmTemplateOptions extends RenderOptions {
  /** `--include-crds`. */
  includeCrds?: boolean;
  /** `--no-hooks`. */
  noHooks?: boolean;
  /** `--skip-tests`. */
  skipTests?: boolean;
  /** `--show-only` patterns. */
  showOnly?: readonly string[];
  /** Helm's log lines (stderr). */
  log?: (line: string) => void;
  /** Another engine than renderChart's steps (prepareRender, renderTemplates), for tests. */
  render?: RenderFunc;
}

/**
 * An error of the rendering step (the engine or SortManifests): helm has a partial release then, so `helm template`
 * adds `\n\nUse --debug flag to render out invalid YAML` to the message.
 */
export class RenderStepError extends Error {
  override name = 'RenderStepError';
}

/** Error messages of the steps before rendering (prepareRender): no partial release there. */
const BEFORE_RENDER = [
  / charts are not installable$/,
  /^An error occurred while checking for chart dependencies/,
  /^values don't meet the specifications of the schema/,
];

/** engine.Render after prepareRender, each step's errors as helm's install action has them. */
function engineRender(chart: Chart, values: Values, opts: HelmTemplateOptions): Map<string, string> {
  let prep: ReturnType<typeof prepareRender>;
  try {
    prep = prepareRender(chart, values, opts);
  } catch (e) {
    // the kubeVersion check is part of renderResources in helm
    if ((e as Error).message.startsWith('chart requires kubeVersion: ')) {
      throw new RenderStepError((e as Error).message, { cause: e });
    }
    throw e;
  }
  try {
    return renderTemplates(
      prep.templates.map((r) => ({ name: r.name, text: r.text, vals: r.vals, basePath: r.basePath })),
      opts,
    );
  } catch (e) {
    throw new RenderStepError((e as Error).message, { cause: e });
  }
}

/** Renders the chart and sorts the result as the install action does; errors of that step are {@link RenderStepError}. */
export function renderRelease(chart: Chart, values: Values, opts: HelmTemplateOptions): RenderedResources {
  let files: Map<string, string>;
  if (opts.render === undefined) files = engineRender(chart, values, opts);
  else {
    try {
      files = opts.render(chart, values, opts);
    } catch (e) {
      const msg = (e as Error).message;
      if (BEFORE_RENDER.some((re) => re.test(msg))) throw e;
      throw new RenderStepError(msg, { cause: e });
    }
  }
  try {
    return renderResources(chart, files, {
      includeCrds: opts.includeCrds ?? false,
      ...(opts.log ? { log: opts.log } : {}),
    });
  } catch (e) {
    throw new RenderStepError((e as Error).message, { cause: e });
  }
}

/** `helm template NAME CHART` for a loaded chart and merged user values: exactly what helm prints on stdout. */
export function helmTemplate(chart: Chart, values: Values, opts: HelmTemplateOptions): string {
  const r = renderRelease(chart, values, opts);
  return templateOutput(r.manifest, r.hooks, {
    noHooks: opts.noHooks ?? false,
    skipTests: opts.skipTests ?? false,
    showOnly: opts.showOnly ?? [],
  });
}

/**
 * `helm template --output-dir DIR`: the file writes, what helm prints on stdout (`wrote …` lines, then `\n`), and
 * the error it returns after writing (with `--show-only`, which then finds nothing: the manifest went to files).
 */
export function helmTemplateToDir(
  chart: Chart,
  values: Values,
  opts: HelmTemplateOptions & { outputDir: string; useReleaseName?: boolean },
): { writes: OutputFileWrite[]; stdout: string; error?: Error } {
  const r = renderRelease(chart, values, opts);
  const writes = outputDirPlan(r, {
    outputDir: opts.outputDir,
    releaseName: opts.release.name,
    useReleaseName: opts.useReleaseName ?? false,
    noHooks: opts.noHooks ?? false,
    skipTests: opts.skipTests ?? false,
  });
  const wrote = writes.map((w) => `wrote ${w.path}\n`).join('');
  try {
    // the manifest went to files: template.go prints its trimmed (empty) text
    return { writes, stdout: wrote + templateOutput('', [], { showOnly: opts.showOnly ?? [] }) };
  } catch (e) {
    return { writes, stdout: wrote, error: e as Error };
  }
}
