// `npm run bench -- <scenario> [options]`: the only module of bench/ that reads argv.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { formatFanoutResult, runFanout, writeFanoutResult } from './fanout.ts';
import type { FanoutScenario } from './fanout.ts';
import { formatGitResult, runGitBench } from './git.ts';
import { formatHelmResult, runHelmBench } from './helm.ts';
import { formatHelmIndexResult, runHelmIndexBench } from './helm-index.ts';
import { formatIdleBundleResult, runIdleBundle } from './idle-bundle.ts';
import { IDLE_LEAN_VARIANTS, formatIdleLeanResult, runIdleLean } from './idle-lean.ts';
import { formatIdleInformerResult, runIdleInformer } from './idle-informer.ts';
import type { IdleLeanVariant } from './idle-lean.ts';
import { APPS } from '@flux-ts/image';
import type { AppName } from '@flux-ts/image';
import { formatImageAutomationLatencyResult, runImageAutomationLatency } from './image-automation.ts';
import { formatKustomizeResult, OutputMismatchError, runKustomizeBench } from './kustomize.ts';
import { formatOciFanoutResult, runOciFanout, writeOciFanoutResult } from './oci-fanout.ts';
import { formatPushLatencyResult, runPushLatency, writePushLatencyResult } from './push-latency.ts';

const USAGE = `usage: npm run bench -- <scenario> [options]

scenarios:
  kustomization  N Kustomizations (flux-benchmark app) to Ready on the embedded cluster, then an upgrade pass and a
                 no-op pass; source-controller and kustomize-controller as child processes
  source         N GitRepositories (one repository each) to Ready, then a no-op pass that must not clone
  idle           N objects (N/2 GitRepositories, N/2 Kustomizations) with intervals of 1 to 10 minutes to Ready,
                 then --idle-minutes with nothing changing
  idle-bundle    each of the seven controllers idle against libs/apiserver, from source and from its esbuild
                 bundle: RSS at /readyz and after --idle-seconds (default 10), heapUsed, start → /readyz
  idle-lean      each controller idle in several variants side by side (--variants: client-node, sources,
                 bundle, optimize-for-size, single-threaded; --apps a,b): the kubeconfig lever and V8 flags
                 of issue 22
  idle-informer  one informer of --n Kustomizations (default 1000) with managedFields stripped and kept: heapUsed
  helmrelease    N HelmReleases (flux-benchmark's podinfo chart from a local chart repository, one HelmChart each)
                 to Ready, then an upgrade pass (values changed) and a no-op pass; source-controller and
                 helm-controller as child processes
  push-latency  push → Receiver → GitRepository → Kustomization applied on the embedded cluster with every
                 controller as a process, p50/p99 over --n pushes (default 20)
  image-automation
                 a tag pushed to docker-registry → ImagePolicy → commit on the fleet → Kustomization applied,
                 p50/p99 over --n tags (default 10)
  git         depth-1 clone by @flux-ts/git vs git clone --depth 1; no-op path vs git ls-remote; pack-size sweep
  kustomize   @flux-ts/kustomize in-process and CLI vs kubectl kustomize on three generated inputs
  helm        @flux-ts/helm (renderChart + helm template assembly) in-process and CLI vs helm template on the
              helm create chart and a generated chart of N objects
  helm-index  @flux-ts/helm's loadIndex (before and after) and GET + load vs helm repo add on a generated index
  oci-fanout  N OCIRepositories (one docker-registry repository each, --n default 1000) to Ready, then a no-op
              pass; source-controller as a child process, beside flux-benchmark's 1m25s at 67 Mi

common options:
  --runs N          timed runs (default: git 3, kustomize 5, helm 7, helm-index 5, kustomization 3, source 3,
                    idle-bundle 1)
  --json            print the result as JSON instead of the table
  --quiet           no progress lines on stderr

git options:
  --files N         files in the cloned repository (default 5000)
  --commits N       commits in each generated repository (default 5)
  --sweep A,B,C     file counts of the pack-size sweep (default 1000,5000,20000; "none" to skip)
  --sweep-runs N    runs of each side per sweep point (default 1)

kustomization, source, idle and helmrelease options (results go to bench/results/<scenario>-<n>-<date>.json):
  --n N             objects (default 100)
  --latency-ms MS   latency injected into every API request (default 0)
  --concurrent N    --concurrent of the main controller (default: kustomize-controller 20, source-controller 10,
                    helm-controller 10)
  --qps Q/B|off     client rate limit of the controllers (default: their flags' 50/300; off: -1/-1, what
                    Flux does when the API server has Priority and Fairness)
  --no-pin          do not pin the peers and the controllers to different CPUs with taskset
  --no-write        do not write the JSON result file
  --idle-minutes M  idle: length of the idle phase (default 10)
  --phase-timeout S each phase's timeout in seconds (default 120 + 1 per object)
  --memory-limit-mib M
                    run the controllers as inside a container with this memory limit (V8's old generation at
                    M/4, what Node picks from a cgroup limit; Flux's kustomize-controller has 1024)

kustomize options:
  --deployments N   Deployments of the second input (default 500)
  --resources N     resources of the third input (default 4000)
  --only A,B        only these inputs: small, deployments, resources

helm options:
  --objects N       objects of the generated chart (default 600)
  --only A,B        only these inputs: create, many

helm-index options:
  --charts N        charts in the generated index (default 2000)
  --versions N      versions of each chart (default 10)
  --reference-runs N
                    timed runs of loadIndexReference, the implementation before (default 1)
`;

const SCENARIOS = [
  'git',
  'helm',
  'helm-index',
  'helmrelease',
  'idle',
  'idle-bundle',
  'idle-lean',
  'idle-informer',
  'image-automation',
  'kustomize',
  'kustomization',
  'oci-fanout',
  'push-latency',
  'source',
];
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${v}'`);
  return n;
}

function parseQps(v: string | undefined): 'off' | { qps: number; burst: number } | undefined {
  if (v === undefined) return undefined;
  if (v === 'off') return 'off';
  const m = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(v);
  if (!m) throw new Error(`--qps must be QPS/BURST (e.g. 50/300) or off, got '${v}'`);
  return { qps: Number(m[1]), burst: Number(m[2]) };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        runs: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        files: { type: 'string' },
        commits: { type: 'string' },
        sweep: { type: 'string' },
        'sweep-runs': { type: 'string' },
        deployments: { type: 'string' },
        resources: { type: 'string' },
        only: { type: 'string' },
        objects: { type: 'string' },
        charts: { type: 'string' },
        versions: { type: 'string' },
        'reference-runs': { type: 'string' },
        n: { type: 'string' },
        'latency-ms': { type: 'string' },
        concurrent: { type: 'string' },
        qps: { type: 'string' },
        'no-pin': { type: 'boolean' },
        'no-write': { type: 'boolean' },
        'idle-minutes': { type: 'string' },
        'phase-timeout': { type: 'string' },
        'memory-limit-mib': { type: 'string' },
        'idle-seconds': { type: 'string' },
        variants: { type: 'string' },
        apps: { type: 'string' },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const scenario = positionals[0];
  if (v.help || !scenario || positionals.length > 1 || !SCENARIOS.includes(scenario)) {
    (v.help ? process.stdout : process.stderr).write(USAGE);
    return v.help ? 0 : 2;
  }
  const log = v.quiet ? undefined : (line: string) => process.stderr.write(`# ${line}\n`);
  try {
    const runs = int('runs', v.runs);
    if (scenario === 'kustomization' || scenario === 'source' || scenario === 'idle' || scenario === 'helmrelease') {
      const latency = v['latency-ms'];
      const latencyMs = latency === undefined || latency === '0' ? 0 : int('latency-ms', latency);
      const concurrent = int('concurrent', v.concurrent);
      const qps = parseQps(v.qps);
      const memoryLimitMiB = int('memory-limit-mib', v['memory-limit-mib']);
      const phaseTimeoutS = int('phase-timeout', v['phase-timeout']);
      const idleMinutes = v['idle-minutes'] === undefined ? undefined : Number(v['idle-minutes']);
      if (idleMinutes !== undefined && !(idleMinutes > 0)) throw new Error('--idle-minutes must be a positive number');
      const r = await runFanout(scenario as FanoutScenario, {
        n: int('n', v.n) ?? 100,
        ...(runs ? { runs } : {}),
        ...(latencyMs ? { latencyMs } : {}),
        ...(concurrent ? { concurrent } : {}),
        ...(qps ? { qps } : {}),
        ...(idleMinutes ? { idleMs: idleMinutes * 60_000 } : {}),
        ...(memoryLimitMiB ? { memoryLimitMiB } : {}),
        ...(phaseTimeoutS ? { phaseTimeoutMs: phaseTimeoutS * 1000 } : {}),
        pin: !v['no-pin'],
        ...(log ? { log } : {}),
      });
      if (!v['no-write']) log?.(`wrote ${writeFanoutResult(r, RESULTS)}`);
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : formatFanoutResult(r));
    } else if (scenario === 'oci-fanout') {
      const concurrent = int('concurrent', v.concurrent);
      const memoryLimitMiB = int('memory-limit-mib', v['memory-limit-mib']);
      const phaseTimeoutS = int('phase-timeout', v['phase-timeout']);
      const r = await runOciFanout({
        n: int('n', v.n) ?? 1000,
        ...(runs ? { runs } : {}),
        ...(concurrent ? { concurrent } : {}),
        ...(memoryLimitMiB ? { memoryLimitMiB } : {}),
        ...(phaseTimeoutS ? { phaseTimeoutMs: phaseTimeoutS * 1000 } : {}),
        pin: !v['no-pin'],
        ...(log ? { log } : {}),
      });
      if (!v['no-write']) log?.(`wrote ${writeOciFanoutResult(r, RESULTS)}`);
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : `${formatOciFanoutResult(r)}\n`);
    } else if (scenario === 'idle-bundle') {
      const idleS = int('idle-seconds', v['idle-seconds']);
      const r = await runIdleBundle({ ...(idleS ? { idleMs: idleS * 1000 } : {}), ...(runs ? { runs } : {}), log });
      if (!v['no-write']) {
        mkdirSync(RESULTS, { recursive: true });
        const file = join(RESULTS, `idle-bundle-${r.date.replace(/[:.]/g, '-').slice(0, 19)}Z.json`);
        writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
        log?.(`wrote ${file}`);
      }
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : formatIdleBundleResult(r));
    } else if (scenario === 'idle-lean') {
      const idleS = int('idle-seconds', v['idle-seconds']);
      const list = (x: string | undefined, known: readonly string[], name: string): string[] | undefined => {
        const xs = x?.split(',').filter((s) => s !== '');
        const bad = xs?.find((s) => !known.includes(s));
        if (bad !== undefined) throw new Error(`--${name}: unknown '${bad}' (known: ${known.join(', ')})`);
        return xs;
      };
      const variants = list(v.variants, IDLE_LEAN_VARIANTS, 'variants') as IdleLeanVariant[] | undefined;
      const apps = list(v.apps, APPS, 'apps') as AppName[] | undefined;
      const r = await runIdleLean({
        ...(idleS ? { idleMs: idleS * 1000 } : {}),
        ...(runs ? { runs } : {}),
        ...(variants ? { variants } : {}),
        ...(apps ? { apps } : {}),
        log,
      });
      if (!v['no-write']) {
        mkdirSync(RESULTS, { recursive: true });
        const file = join(RESULTS, `idle-lean-${r.date.replace(/[:.]/g, '-').slice(0, 19)}Z.json`);
        writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
        log?.(`wrote ${file}`);
      }
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : formatIdleLeanResult(r));
    } else if (scenario === 'idle-informer') {
      const r = await runIdleInformer({ n: int('n', v.n) ?? 1000, ...(runs ? { runs } : {}), log });
      if (!v['no-write']) {
        mkdirSync(RESULTS, { recursive: true });
        const file = join(RESULTS, `idle-informer-${r.n}-${r.date.replace(/[:.]/g, '-').slice(0, 19)}Z.json`);
        writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
        log?.(`wrote ${file}`);
      }
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : formatIdleInformerResult(r));
    } else if (scenario === 'image-automation') {
      const workspace = fileURLToPath(new URL('../../', import.meta.url));
      const r = await runImageAutomationLatency({ workspace, tags: int('n', v.n) ?? 10, ...(log ? { log } : {}) });
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : `${formatImageAutomationLatencyResult(r)}\n`);
    } else if (scenario === 'push-latency') {
      const workspace = fileURLToPath(new URL('../../', import.meta.url));
      const r = await runPushLatency({ workspace, pushes: int('n', v.n) ?? 20, ...(log ? { log } : {}) });
      if (!v['no-write']) {
        const file = writePushLatencyResult(r, RESULTS);
        log?.(`wrote ${file}`);
      }
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : `${formatPushLatencyResult(r)}\n`);
    } else if (scenario === 'git') {
      const sweep =
        v.sweep === undefined
          ? undefined
          : v.sweep === 'none'
            ? []
            : v.sweep.split(',').map((x) => int('sweep', x.trim()) ?? 0);
      const files = int('files', v.files);
      const commits = int('commits', v.commits);
      const sweepRuns = int('sweep-runs', v['sweep-runs']);
      const r = await runGitBench({
        ...(runs ? { runs } : {}),
        ...(files ? { files } : {}),
        ...(commits ? { commits } : {}),
        ...(sweep ? { sweep } : {}),
        ...(sweepRuns ? { sweepRuns } : {}),
        ...(log ? { log } : {}),
      });
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : formatGitResult(r));
    } else if (scenario === 'helm') {
      const objects = int('objects', v.objects);
      const r = await runHelmBench({
        ...(runs ? { runs } : {}),
        ...(objects ? { objects } : {}),
        ...(v.only ? { only: v.only.split(',').map((x) => x.trim()) } : {}),
        ...(log ? { log } : {}),
      });
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : formatHelmResult(r));
    } else if (scenario === 'helm-index') {
      const charts = int('charts', v.charts);
      const versions = int('versions', v.versions);
      const referenceRuns = int('reference-runs', v['reference-runs']);
      const r = await runHelmIndexBench({
        ...(runs ? { runs } : {}),
        ...(charts ? { charts } : {}),
        ...(versions ? { versions } : {}),
        ...(referenceRuns ? { referenceRuns } : {}),
        ...(log ? { log } : {}),
      });
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : formatHelmIndexResult(r));
    } else {
      const deployments = int('deployments', v.deployments);
      const resources = int('resources', v.resources);
      const r = await runKustomizeBench({
        ...(runs ? { runs } : {}),
        ...(deployments ? { deployments } : {}),
        ...(resources ? { resources } : {}),
        ...(v.only ? { only: v.only.split(',').map((x) => x.trim()) } : {}),
        ...(log ? { log } : {}),
      });
      process.stdout.write(v.json ? JSON.stringify(r, null, 2) + '\n' : formatKustomizeResult(r));
    }
    return 0;
  } catch (err) {
    if (err instanceof OutputMismatchError) {
      process.stderr.write(`\n!!!!!!!! OUTPUT MISMATCH: nothing was timed !!!!!!!!\n${err.message}\n`);
      return 1;
    }
    process.stderr.write(`bench ${scenario}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
