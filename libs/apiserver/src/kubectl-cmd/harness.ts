/**
 * What kubernetes/kubernetes hack/lib/test.sh gives test/cmd/*.sh, for the ported suites: one server per file, real
 * kubectl with its own kubeconfig, `create_and_use_new_namespace`, and the `kube::test::*` assertions.
 */
import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ApiServerOptions } from '../server.ts';
import { KUBECTL, startCluster, type Cluster, type KubectlResult } from '../testing/harness.ts';

/** The fixture directory (data transcribed from hack/testdata and test/fixtures, see its README). */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Path of one fixture file or directory. */
export const fixture = (name: string): string => join(FIXTURES, name);

/** `{{.metadata.name}}`, test.sh's `$id_field`. */
export const ID = '.metadata.name';
/** `$labels_field`. */
export const LABELS = '.metadata.labels';
/** `$annotations_field`. */
export const ANNOTATIONS = '.metadata.annotations';

/** Splits a command line as bash's word splitting would for the `object` arguments of test.sh (quotes kept together). */
export const shellWords = (line: string): string[] => {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let inWord = false;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
};

/** `[[ "${res}" =~ ^${expected}$ ]]`: test.sh compares with an anchored extended regular expression. */
const matchesExpected = (res: string, expected: string): boolean => new RegExp(`^(?:${expected})$`, 's').test(res);

/** The environment of one ported suite. */
export interface CmdEnv {
  cluster: Cluster;
  /** The current namespace (create_and_use_new_namespace). */
  namespace: string;
  /** Run kubectl (args as words); stdout and stderr together as `output` (`2>&1`). */
  run(
    args: string[],
    opts?: { stdin?: string; env?: Record<string, string> },
  ): Promise<KubectlResult & { output: string }>;
  /** kubectl that must succeed (bash errexit); returns its combined output. */
  ok(args: string[], opts?: { stdin?: string; env?: Record<string, string> }): Promise<string>;
  /** kubectl that must fail (`! kubectl …`); returns its combined output. */
  fail(args: string[], opts?: { stdin?: string }): Promise<string>;
  /** `kube::test::get_object_assert object template expected`. */
  getObjectAssert(object: string, template: string, expected: string): Promise<void>;
  /** `kube::test::wait_object_assert`: the same, retried while the server catches up. */
  waitObjectAssert(object: string, template: string, expected: string): Promise<void>;
  /** `kube::test::get_object_jsonpath_assert`. */
  getObjectJsonpathAssert(object: string, jsonpath: string, expected: string): Promise<void>;
  /** `create_and_use_new_namespace`: a fresh namespace made the context's default. */
  useNewNamespace(): Promise<string>;
  /** A script usable as $EDITOR that runs `sed -i <expr>` on the file it is given. */
  sedEditor(expr: string): Promise<string>;
  stop(): Promise<void>;
}

let namespaceCounter = 0;

/** Start one server and a kubectl environment for a ported suite. */
export const startCmdEnv = async (opts: ApiServerOptions = {}): Promise<CmdEnv> => {
  const cluster = await startCluster(opts);
  const run: CmdEnv['run'] = async (args, opts = {}) => {
    const r =
      opts.env === undefined
        ? await cluster.kubectl(args, opts.stdin === undefined ? {} : { stdin: opts.stdin })
        : await runWithEnv(cluster, args, opts.env, opts.stdin);
    return { ...r, output: `${r.stdout}${r.stderr}` };
  };
  const ok: CmdEnv['ok'] = async (args, opts) => {
    const r = await run(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.output}`);
    return r.output;
  };
  const fail: CmdEnv['fail'] = async (args, opts) => {
    const r = await run(args, opts);
    if (r.code === 0) throw new Error(`kubectl ${args.join(' ')} succeeded, expected a failure: ${r.output}`);
    return r.output;
  };
  const objectAssert = async (tries: number, object: string, output: string, expected: string): Promise<void> => {
    let res = '';
    for (let i = 0; i < tries; i++) {
      const r = await run(['get', ...shellWords(object), '-o', output]);
      res = r.stdout;
      if (matchesExpected(res, expected)) return;
      await new Promise((resolve) => setTimeout(resolve, 100 * (i + 1)));
    }
    expect.fail(`FAIL! get ${object} ${output}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(res)}`);
  };
  const env: CmdEnv = {
    cluster,
    namespace: 'default',
    run,
    ok,
    fail,
    getObjectAssert: (object, template, expected) => objectAssert(1, object, `go-template=${template}`, expected),
    waitObjectAssert: (object, template, expected) => objectAssert(10, object, `go-template=${template}`, expected),
    getObjectJsonpathAssert: (object, jsonpath, expected) => objectAssert(1, object, `jsonpath=${jsonpath}`, expected),
    useNewNamespace: async () => {
      const ns = `namespace-${Date.now()}-${++namespaceCounter}`;
      await ok(['create', 'namespace', ns]);
      await ok(['config', 'set-context', '--current', `--namespace=${ns}`]);
      env.namespace = ns;
      return ns;
    },
    sedEditor: async (expr) => {
      const path = join(cluster.dir, `editor-${++namespaceCounter}.sh`);
      await writeFile(path, `#!/usr/bin/env bash\nsed -i "${expr}" "$@"\n`);
      await chmod(path, 0o755);
      return path;
    },
    stop: () => cluster.stop(),
  };
  return env;
};

const runWithEnv = (
  cluster: Cluster,
  args: string[],
  extra: Record<string, string>,
  stdin?: string,
): Promise<KubectlResult> => {
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL,
      args,
      { env: { ...cluster.env, ...extra }, timeout: 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
};

/** `kube::test::if_has_string`: `grep -q pattern` over the output. */
export const ifHasString = (output: string, pattern: string): void => {
  expect(output, `expected to find ${JSON.stringify(pattern)}`).toMatch(new RegExp(pattern));
};

/** `kube::test::if_has_not_string`. */
export const ifHasNotString = (output: string, pattern: string): void => {
  expect(output, `expected not to find ${JSON.stringify(pattern)}`).not.toMatch(new RegExp(pattern));
};
