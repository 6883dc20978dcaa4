// Scaffolds a reconciler for a Flux kind in the house shape (docs/adding-a-controller.md): its condition table, one
// example step on the runtime's reconcile skeleton, the controller setup, and a first integration test against the
// shared test environment. Usage: node tools/scaffold-reconciler.ts <app> <Kind>   (e.g. source-controller HelmRepository)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { argv, exit, stderr, stdout } from 'node:process';
import { allKinds } from '@flux-ts/api';

const [app, kind] = argv.slice(2);
const root = resolve(import.meta.dirname, '..');
if (!app || !kind) {
  stderr.write('usage: node tools/scaffold-reconciler.ts <app> <Kind>\n');
  exit(2);
}
const def = allKinds.find((k) => k.kind === kind);
if (!def) {
  stderr.write(
    `no kind ${kind} in libs/api (add its KindDefinition there first): ${allKinds.map((k) => k.kind).join(', ')}\n`,
  );
  exit(2);
}
const appDir = join(root, 'apps', app);
if (!existsSync(appDir)) {
  stderr.write(`no app ${app} under apps/\n`);
  exit(2);
}
const version = def.versions[0]?.name ?? 'v1';
const apiVersion = `${def.group}/${version}`;
const lower = kind.toLowerCase();
const camel = kind[0]!.toLowerCase() + kind.slice(1);
const dir = join(appDir, 'src', lower);
if (existsSync(dir)) {
  stderr.write(`${dir} exists already\n`);
  exit(2);
}
mkdirSync(dir, { recursive: true });

const files: Record<string, string> = {
  'conditions.ts': `import { ReadyCondition, ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * The ${kind} condition table: the types this reconciler owns, the order in which they are summarized into Ready, and
 * which are abnormal-true. Add the kind's own conditions (upstream's \`${camel}ReadyCondition\`) as the steps grow.
 */
export const ${camel}ReadyCondition: ReconcileConditions = Object.freeze({
  target: ReadyCondition,
  owned: Object.freeze([ReadyCondition, ReconcilingCondition, StalledCondition]),
  summarize: Object.freeze([StalledCondition, ReconcilingCondition]),
  negativePolarity: Object.freeze([StalledCondition, ReconcilingCondition]),
});
`,
  'reconciler.ts': `/**
 * The ${kind} reconciler on the runtime's reconcile skeleton: the condition table of conditions.ts, ordered steps, and
 * one summarize-and-patch exit. Scaffolded by tools/scaffold-reconciler.ts: replace \`reconcileExample\` with
 * upstream's steps, each setting or clearing its own conditions and never Ready or Stalled.
 */
import { SucceededReason, normalize${kind} } from '@flux-ts/api';
import type { ${kind} } from '@flux-ts/api';
import { Result, parseGoDuration, reconcileWith } from '@flux-ts/runtime';
import type {
  EventSink,
  Logger,
  LoopContext,
  ObjectReader,
  PatchClient,
  ReconcileContext,
  ReconcileStep,
  Request,
  RequeueResult,
  StatusObject,
} from '@flux-ts/runtime';
import { ${camel}ReadyCondition } from './conditions.ts';

/** The ${kind} kind as the reconciler reads it. */
export const ${camel}GVK = Object.freeze({ apiVersion: '${apiVersion}', kind: '${kind}' });

/** A ${kind} as the steps handle it. */
export type ${kind}Object = ${kind} & StatusObject;

/** What the steps of one reconcile share. */
export interface ${kind}State {
  log: Logger;
  signal: AbortSignal;
}

/** Dependencies and settings of {@link ${kind}Reconciler}; only \`main.ts\` derives them from flags and env. */
export interface ${kind}ReconcilerOptions {
  /** Reads ${kind} objects (the informer cache). */
  reader: ObjectReader;
  /** Patches their status (the Kubernetes client). */
  patchClient: PatchClient;
  recorder?: EventSink | undefined;
  /** Field manager of the status patches (the controller name). */
  fieldManager: string;
  /** \`--interval-jitter-percentage\`. */
  jitterPercent?: number | undefined;
}

/** Reconciles ${kind} objects. */
export class ${kind}Reconciler {
  readonly #o: ${kind}ReconcilerOptions;
  /** The ordered steps, each table-testable alone with a {@link ${kind}State}. */
  readonly steps: readonly ReconcileStep<${kind}Object, ${kind}State>[];
  /** The reconcile function for \`controllerBuilder(...).complete()\`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: ${kind}ReconcilerOptions) {
    this.#o = options;
    this.steps = [{ name: 'reconcileExample', run: (obj, state) => this.reconcileExample(obj, state) }];
    this.reconcile = reconcileWith<${kind}Object, ${kind}State>({
      gvk: ${camel}GVK,
      reader: options.reader,
      patchClient: options.patchClient,
      conditions: ${camel}ReadyCondition,
      fieldManager: options.fieldManager,
      finalizerMode: 'requeue',
      decode: (raw) => normalize${kind}(raw).object as ${kind}Object,
      start: { inProgress: true, patchOnRequest: true },
      finalize: async () => {
        // clean up what the reconciler owns outside the object (artifacts, releases, …)
      },
      open: async (_obj, ctx: LoopContext<${kind}Object>) => ({ log: ctx.log, signal: ctx.signal }),
      steps: this.steps,
      exit: (obj, _outcome, ctx) => ({
        // the kind's \`spec.interval\` (10m where the kind lets the spec omit it)
        interval: parseGoDuration((obj.spec as { interval?: string }).interval ?? '10m'),
        jitterPercent: this.#o.jitterPercent ?? 5,
        recorder: this.#o.recorder,
        log: ctx.log,
        // Until a step sets a positive summarized condition (ArtifactInStorage, ReleaseReady, …), Ready comes from
        // the success itself; drop this once \`summarize\` has one.
        readyOnSuccess: { reason: SucceededReason, message: 'reconciliation succeeded' },
      }),
    });
  }

  /** The scaffold's example step: replace it with the kind's own steps. */
  async reconcileExample(_obj: ${kind}Object, state: ${kind}State): Promise<Result> {
    state.log.debug('example step');
    return Result.Success;
  }
}
`,
  'setup.ts': `import { controllerBuilder, predicates } from '@flux-ts/runtime';
import type { BuilderOptions, Cache, Controller, ControllerManager, EventSink, KubeClient } from '@flux-ts/runtime';
import { ${kind}Reconciler, ${camel}GVK } from './reconciler.ts';

/** What {@link setup${kind}Controller} wires together. */
export interface ${kind}ControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  client: KubeClient;
  recorder?: EventSink | undefined;
  controllerName: string;
  jitterPercent?: number | undefined;
  /** \`--concurrent\`, \`--min-retry-delay\`, \`--max-retry-delay\`. */
  options?: BuilderOptions | undefined;
}

/** Registers the ${kind} controller with the manager. */
export function setup${kind}Controller(deps: ${kind}ControllerDeps): { controller: Controller; reconciler: ${kind}Reconciler } {
  const reconciler = new ${kind}Reconciler({
    reader: deps.cache,
    patchClient: deps.client,
    recorder: deps.recorder,
    fieldManager: deps.controllerName,
    jitterPercent: deps.jitterPercent,
  });
  const controller = controllerBuilder(deps.manager)
    .named('${lower}')
    .for(${camel}GVK, { predicates: [predicates.or(predicates.generationChanged, predicates.reconcileRequested)] })
    .withOptions(deps.options ?? {})
    .complete(reconciler.reconcile);
  return { controller, reconciler };
}
`,
  'index.ts': `export { ${kind}Reconciler, ${camel}GVK } from './reconciler.ts';
export type { ${kind}Object, ${kind}ReconcilerOptions, ${kind}State } from './reconciler.ts';
export { ${camel}ReadyCondition } from './conditions.ts';
export { setup${kind}Controller } from './setup.ts';
export type { ${kind}ControllerDeps } from './setup.ts';
`,
  'reconciler.int.spec.ts': `// The first integration test of the scaffolded ${kind} reconciler: the shared test environment (API server with the
// CRDs), the controller in a manager over HTTP, and one object that gets the finalizer and turns Ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache, Manager, newLogger } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { kstatusViolations, startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { ${camel}ReadyCondition } from './conditions.ts';
import { ${camel}GVK } from './reconciler.ts';
import { setup${kind}Controller } from './setup.ts';

type Obj = KubeObject & {
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; observedGeneration?: number }[] };
};

describe('${kind} reconciler (scaffold)', () => {
  let env: TestEnv;
  const stop = new AbortController();
  let running: Promise<void>;

  beforeAll(async () => {
    env = await startTestEnv({ namespaces: ['scaffold'] });
    const logger = newLogger({ level: 'silent' });
    const cache = new Cache(env.client, { logger });
    const manager = new Manager({ client: env.client, cache, logger });
    setup${kind}Controller({ manager, cache, client: env.client, controllerName: 'scaffold-test' });
    running = manager.start(stop.signal);
  }, 60_000);
  afterAll(async () => {
    stop.abort();
    await running?.catch(() => undefined);
    await env?.close();
  });

  it('adds the finalizer and ends Ready, kstatus-conformant', { timeout: 60_000 }, async () => {
    await env.client.create({
      ...${camel}GVK,
      metadata: { name: 'first', namespace: 'scaffold' },
      // the smallest valid spec of the kind: adjust to its required fields
      spec: ${JSON.stringify(minimalSpec(kind))},
    } as KubeObject);
    const obj = await until('first Ready', async () => {
      const o = await env.client.get<Obj>(${camel}GVK, { namespace: 'scaffold', name: 'first' });
      return o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? o : undefined;
    });
    expect(obj.metadata.finalizers).toContain('finalizers.fluxcd.io');
    expect(kstatusViolations(obj, { negativePolarity: ${camel}ReadyCondition.negativePolarity })).toEqual([]);
  });
});
`,
};

/** A minimal valid spec for the kinds whose required fields are known; `{ interval }` otherwise. */
function minimalSpec(k: string): Record<string, unknown> {
  switch (k) {
    case 'HelmRepository':
      return { interval: '5m', url: 'https://charts.example.com' };
    case 'Bucket':
      return { interval: '5m', bucketName: 'b', endpoint: 'minio.example.com' };
    case 'OCIRepository':
      return { interval: '5m', url: 'oci://ghcr.io/example/manifests' };
    default:
      return { interval: '5m' };
  }
}

for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
stdout.write(
  `scaffolded ${kind} in ${dir}\nnext: npx prettier --write ${dir} && cd apps/${app} && npx vitest run src/${lower}\nthen follow docs/adding-a-controller.md\n`,
);
