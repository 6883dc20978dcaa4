// chart.Chart: metadata, lock, templates, values, schema, other files, raw files, parent and dependencies.
import type { Values } from '../values/yaml.ts';
import type { Lock, Metadata } from './metadata.ts';

/** A file of a chart (chart.File). */
export interface ChartFile {
  name: string;
  data: Buffer;
}

/** A loaded chart (chart.Chart). */
export class Chart {
  metadata: Metadata;
  lock: Lock | null = null;
  templates: ChartFile[] = [];
  values: Values = {};
  schema: Buffer | null = null;
  /** Files other than Chart.yaml, values, templates and charts/ (what `.Files` sees). */
  files: ChartFile[] = [];
  /** Every file as loaded. */
  raw: ChartFile[] = [];
  parent: Chart | null = null;
  private deps: Chart[] = [];

  constructor(metadata: Metadata) {
    this.metadata = metadata;
  }

  /** The chart's name (its alias once dependencies are processed). */
  name(): string {
    return this.metadata.name;
  }

  isRoot(): boolean {
    return this.parent === null;
  }

  dependencies(): readonly Chart[] {
    return this.deps;
  }

  addDependency(...charts: Chart[]): void {
    for (const c of charts) {
      c.parent = this;
      this.deps.push(c);
    }
  }

  setDependencies(...charts: Chart[]): void {
    this.deps = [];
    this.addDependency(...charts);
  }

  /** `parent/charts/child`. */
  chartFullPath(): string {
    return this.parent === null ? this.name() : `${this.parent.chartFullPath()}/charts/${this.name()}`;
  }

  /** `parent.child`. */
  chartPath(): string {
    return this.parent === null ? this.name() : `${this.parent.chartPath()}.${this.name()}`;
  }

  /** A shallow copy with its own metadata object (as getAliasDependency copies). */
  copy(): Chart {
    const c = new Chart({ ...this.metadata });
    c.lock = this.lock;
    c.templates = this.templates;
    c.values = this.values;
    c.schema = this.schema;
    c.files = this.files;
    c.raw = this.raw;
    c.parent = this.parent;
    c.deps = this.deps.slice();
    return c;
  }
}
