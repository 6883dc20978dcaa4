/**
 * The ImageUpdateAutomation reconciler (upstream `internal/controller/imageupdateautomation_controller.go` and
 * `internal/source`) on the runtime's reconcile skeleton: list the ImagePolicies (policySelector) → configure the
 * source from the GitRepository (URL, auth and proxy Secrets, timeout, checkout ref, push branch, signing key) and
 * clone it, unless neither the policies nor the remote moved since the last run → run the setters under
 * `spec.update.path` → commit (author, signing, message template) and push; when the remote moved meanwhile (a
 * non-fast-forward), fetch again, redo the update on top and push again. Ready is not a summary: a failure shows on
 * Ready=False with its reason, a success is Ready=True `repository up-to-date`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DefaultSigningKeyType,
  AccessDeniedReason,
  FailedReason,
  ImageAutomationReasons,
  ReadyCondition,
  SucceededReason,
  normalizeGitRepository,
  normalizeImageUpdateAutomation,
} from '@flux-ts/api';
import type { ImageUpdateAutomation } from '@flux-ts/api';
import {
  PushRejectedError,
  authFromSecret,
  cloneWorktree,
  commitAll,
  listRefs,
  proxyFromSecret,
  pushBranch,
  readSigningKey,
  resolveRef,
  formatRevision,
} from '@flux-ts/git';
import type { CloneWorktreeResult, GitAuth, GitProxy, GitRef, SshSigningKey } from '@flux-ts/git';
import {
  GenericError,
  Result,
  StallingError,
  conditions,
  errMessage,
  isNotFound,
  parseGoDuration,
  reconcileWith,
} from '@flux-ts/runtime';
import type {
  EventSink,
  KubeObject,
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
import type * as openpgp from 'openpgp';
import { resolveUpdatePath, updateWithSetters } from '../update/setters.ts';
import type { PolicyRef } from '../update/setters.ts';
import type { UpdateResult } from '../update/result.ts';
import { imageUpdateAutomationReadyCondition } from './conditions.ts';
import { labelSelectorString } from './selector.ts';
import { RemovedTemplateFieldError, renderCommitMessage, templateData } from './template.ts';

/** The ImageUpdateAutomation kind as the reconciler reads it. */
export const imageUpdateAutomationGVK = Object.freeze({
  apiVersion: 'image.toolkit.fluxcd.io/v1',
  kind: 'ImageUpdateAutomation',
});

/** ImagePolicy, read from the API (its `status.latestRef`). */
export const imagePolicyGVK = Object.freeze({ apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' });

/** GitRepository, the only source kind. */
export const gitRepositoryGVK = Object.freeze({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' });

/** Ready message of a successful run (upstream `readyMessage`). */
export const ReadyMessage = 'repository up-to-date';

/** How many times an update is redone on top of a remote that moved during the run. */
const PUSH_ATTEMPTS = 3;

/** An ImageUpdateAutomation as the steps handle it. */
export type ImageUpdateAutomationObject = ImageUpdateAutomation & StatusObject;

type ObservedPolicies = Record<string, { name: string; tag: string; digest?: string }>;

/** The Git side of a run, derived from the GitRepository and the automation (upstream `gitSrcCfg`). */
export interface SourceConfig {
  url: string;
  timeoutMs: number;
  checkoutRef: GitRef | undefined;
  pushBranch: string;
  switchBranch: boolean;
  auth: GitAuth | undefined;
  proxy: GitProxy | undefined;
  signingKey: openpgp.PrivateKey | SshSigningKey | undefined;
}

/** The result of a push, for status and the event. */
export interface PushResult {
  commit: string;
  branch: string;
  message: string;
  time: string;
}

/** What the steps of one reconcile share. */
export interface ImageUpdateAutomationState {
  log: Logger;
  signal: AbortSignal;
  /** The run's private directory (removed by `close`). */
  workRoot: string;
  policies: PolicyRef[];
  observedPolicies: ObservedPolicies;
  /** Policies changed, or a different push branch / refspec: a full run even if the remote did not move. */
  syncNeeded: boolean;
  source?: SourceConfig;
  /** Neither the policies nor the remote changed: nothing was cloned. */
  skipped: boolean;
  push?: PushResult;
}

/** Dependencies and settings of {@link ImageUpdateAutomationReconciler}; only `main.ts` derives them from flags and env. */
export interface ImageUpdateAutomationReconcilerOptions {
  /** Reads ImageUpdateAutomations, GitRepositories and ImagePolicies (the informer cache). */
  reader: ObjectReader & {
    list<T extends KubeObject = KubeObject>(
      gvk: { apiVersion: string; kind: string },
      opts?: { namespace?: string; labelSelector?: string; signal?: AbortSignal },
    ): Promise<T[]>;
  };
  /** Reads Secrets (uncached, as Flux without `CacheSecretsAndConfigMaps`). */
  secretReader: ObjectReader;
  /** Patches their status (the Kubernetes client). */
  patchClient: PatchClient;
  recorder?: EventSink | undefined;
  /** Field manager of the status patches (the controller name). */
  fieldManager: string;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs?: boolean | undefined;
  /** Feature gates GitForcePushBranch, GitShallowClone, GitAllBranchReferences (defaults on). */
  featureGates?: Partial<Record<'GitForcePushBranch' | 'GitShallowClone' | 'GitAllBranchReferences', boolean>>;
  /** Parent of the per-run working directories (default the OS temp dir). */
  tmpDir?: string | undefined;
  /** The clock of `lastAutomationRunTime` and `lastPushTime` (tests). */
  now?: () => Date;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function observedPoliciesChanged(prev: ObservedPolicies | undefined, cur: ObservedPolicies): boolean {
  const p = prev ?? {};
  if (Object.keys(p).length !== Object.keys(cur).length) return true;
  return Object.entries(cur).some(
    ([k, v]) => p[k]?.name !== v.name || p[k]?.tag !== v.tag || (p[k]?.digest ?? '') !== (v.digest ?? ''),
  );
}

/** Reconciles ImageUpdateAutomation objects. */
export class ImageUpdateAutomationReconciler {
  readonly #o: ImageUpdateAutomationReconcilerOptions;
  /** The ordered steps, each table-testable alone with a {@link ImageUpdateAutomationState}. */
  readonly steps: readonly ReconcileStep<ImageUpdateAutomationObject, ImageUpdateAutomationState>[];
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: ImageUpdateAutomationReconcilerOptions) {
    this.#o = options;
    this.steps = [
      { name: 'reconcilePolicies', run: (obj, state) => this.reconcilePolicies(obj, state) },
      { name: 'reconcileSource', run: (obj, state) => this.reconcileSource(obj, state) },
      { name: 'reconcileUpdate', run: (obj, state) => this.reconcileUpdate(obj, state) },
    ];
    this.reconcile = reconcileWith<ImageUpdateAutomationObject, ImageUpdateAutomationState>({
      gvk: imageUpdateAutomationGVK,
      reader: options.reader,
      patchClient: options.patchClient,
      conditions: imageUpdateAutomationReadyCondition,
      fieldManager: options.fieldManager,
      finalizerMode: 'requeue',
      decode: (raw) => normalizeImageUpdateAutomation(raw).object as ImageUpdateAutomationObject,
      start: { inProgress: true, patchOnRequest: true },
      finalize: async () => {
        // nothing outside the object: the working directories are removed at the end of each run
      },
      open: async (obj, ctx: LoopContext<ImageUpdateAutomationObject>) => {
        obj.status = { ...(obj.status ?? {}), lastAutomationRunTime: rfc3339(this.#now()) };
        const workRoot = await mkdtemp(
          join(options.tmpDir ?? tmpdir(), `iua-${obj.metadata.namespace ?? ''}-${obj.metadata.name}-`),
        );
        return {
          log: ctx.log,
          signal: ctx.signal,
          workRoot,
          policies: [],
          observedPolicies: {},
          syncNeeded: false,
          skipped: false,
        };
      },
      close: async (state) => {
        await rm(state.workRoot, { recursive: true, force: true });
      },
      steps: this.steps,
      exit: (obj, outcome, ctx) => {
        const state = outcome.state;
        const wasReady = conditions.isTrue(ctx.observed, ReadyCondition);
        const message = state?.push
          ? `pushed commit '${state.push.commit}' to 'refs/heads/${state.push.branch}'\n${state.push.message}`
          : wasReady && state?.skipped
            ? 'no change since last reconciliation'
            : ReadyMessage;
        return {
          interval: parseGoDuration(obj.spec.interval ?? '10m'),
          recorder: this.#o.recorder,
          log: ctx.log,
          readyFromError: true,
          readyOnSuccess: { reason: SucceededReason, message: ReadyMessage },
          successEvent: {
            type: state?.push || !wasReady ? 'Normal' : 'Trace',
            reason: SucceededReason,
            message,
          },
        };
      },
    });
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  /**
   * Lists the ImagePolicies of the automation's namespace matching `spec.policySelector` that have a `latestRef`,
   * and records whether they differ from `status.observedPolicies`. An invalid selector is Stalled
   * (InvalidPolicySelector).
   */
  async reconcilePolicies(obj: ImageUpdateAutomationObject, state: ImageUpdateAutomationState): Promise<Result> {
    let selector: string | undefined;
    try {
      selector = labelSelectorString(obj.spec.policySelector);
    } catch (err) {
      throw new StallingError(errMessage(err), ImageAutomationReasons.InvalidPolicySelector, { cause: err });
    }
    const namespace = obj.metadata.namespace ?? '';
    let items: (KubeObject & { status?: { latestRef?: PolicyRef['latestRef'] } })[];
    try {
      items = await this.#o.reader.list(imagePolicyGVK, {
        namespace,
        ...(selector ? { labelSelector: selector } : {}),
        signal: state.signal,
      });
    } catch (err) {
      throw new GenericError(`failed to list policies: ${errMessage(err)}`, FailedReason, { cause: err });
    }
    for (const p of items) {
      const ref = p.status?.latestRef;
      if (!ref?.name || !ref.tag) continue;
      state.policies.push({ namespace, name: p.metadata.name, latestRef: ref });
      state.observedPolicies[p.metadata.name] = {
        name: ref.name,
        tag: ref.tag,
        ...(ref.digest ? { digest: ref.digest } : {}),
      };
    }
    if (observedPoliciesChanged(obj.status?.observedPolicies as ObservedPolicies | undefined, state.observedPolicies))
      state.syncNeeded = true;
    return Result.Success;
  }

  /**
   * Builds the source configuration (upstream `NewSourceManager`/`buildGitConfig`) and checks out the source. When
   * neither the policies nor the remote changed since `status.observedSourceRevision`, only the refs are listed and
   * the run ends here (upstream's partial commit).
   */
  async reconcileSource(obj: ImageUpdateAutomationObject, state: ImageUpdateAutomationState): Promise<Result> {
    const source = await this.#sourceConfig(obj, state);
    state.source = source;
    if (source.switchBranch || obj.spec.git?.push?.refspec) state.syncNeeded = true;
    const last = obj.status?.observedSourceRevision;
    if (!state.syncNeeded && last) {
      const revision = await this.#gitOp('failed to checkout source', source, async (signal) => {
        const refs = await listRefs({ url: source.url, auth: source.auth, proxy: source.proxy, signal });
        const resolved = resolveRef(refs, source.checkoutRef ?? {});
        return formatRevision(resolved.revisionName, resolved.commit);
      });
      if (revision === last) {
        state.skipped = true;
        return Result.Success;
      }
    }
    return Result.Success;
  }

  /**
   * Clones, runs the setters and, when files changed, commits and pushes. A push refused as a non-fast-forward
   * (the remote moved during the run) starts over from a fresh clone, up to {@link PUSH_ATTEMPTS} times.
   */
  async reconcileUpdate(obj: ImageUpdateAutomationObject, state: ImageUpdateAutomationState): Promise<Result> {
    const source = state.source;
    if (state.skipped || !source) return Result.Success;
    const update = obj.spec.update;
    if (!update?.strategy)
      throw new StallingError('no update strategy given in the spec', ImageAutomationReasons.InvalidUpdateStrategy);
    if (update.strategy !== 'Setters')
      throw new StallingError(
        `update strategy '${update.strategy}' not supported`,
        ImageAutomationReasons.InvalidUpdateStrategy,
      );
    const gates = this.#o.featureGates ?? {};
    for (let attempt = 1; ; attempt++) {
      const dir = join(state.workRoot, `clone-${attempt}`);
      const checkout = await this.#gitOp('failed to checkout source', source, (signal) =>
        cloneWorktree({
          url: source.url,
          auth: source.auth,
          proxy: source.proxy,
          signal,
          ref: source.checkoutRef,
          dir,
          shallow: gates.GitShallowClone !== false,
          branch: source.pushBranch,
          fromRemoteBranch: gates.GitAllBranchReferences !== false,
        }),
      );
      let result: UpdateResult;
      try {
        result = updateWithSetters(resolveUpdatePath(dir, update.path), state.policies);
      } catch (err) {
        throw new GenericError(`failed to apply policies: ${errMessage(err)}`, ImageAutomationReasons.UpdateFailed, {
          cause: err,
        });
      }
      if (result.fileChanges.size === 0) {
        this.#observe(obj, state, checkout);
        return Result.Success;
      }
      const pushed = await this.#commitAndPush(obj, state, source, dir, result);
      if (pushed === 'rejected') {
        if (attempt < PUSH_ATTEMPTS) {
          state.log.info({ attempt }, 'remote moved during the run: updating on top of it');
          continue;
        }
        throw new GenericError(
          `failed to update source: failed to push to remote: the remote kept moving (${PUSH_ATTEMPTS} attempts)`,
          ImageAutomationReasons.GitOperationFailed,
        );
      }
      state.push = pushed;
      this.#observe(obj, state, checkout, pushed);
      return Result.Success;
    }
  }

  #observe(
    obj: ImageUpdateAutomationObject,
    state: ImageUpdateAutomationState,
    checkout: CloneWorktreeResult,
    pushed?: PushResult,
  ): void {
    const status = obj.status ?? {};
    status.observedPolicies = state.observedPolicies;
    status.observedSourceRevision =
      pushed && !state.source?.switchBranch ? formatRevision(pushed.branch, pushed.commit) : checkout.revision;
    if (pushed) {
      status.lastPushCommit = pushed.commit;
      status.lastPushTime = pushed.time;
    }
    obj.status = status;
  }

  async #commitAndPush(
    obj: ImageUpdateAutomationObject,
    state: ImageUpdateAutomationState,
    source: SourceConfig,
    dir: string,
    result: UpdateResult,
  ): Promise<PushResult | 'rejected'> {
    const commitSpec = obj.spec.git!.commit;
    let message: string;
    try {
      message = renderCommitMessage(
        commitSpec.messageTemplate,
        templateData(
          { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name },
          result,
          commitSpec.messageTemplateValues,
        ),
      );
    } catch (err) {
      if (err instanceof RemovedTemplateFieldError)
        throw new StallingError(err.message, ImageAutomationReasons.RemovedTemplateField, { cause: err });
      throw new GenericError(`failed to update source: ${errMessage(err)}`, ImageAutomationReasons.GitOperationFailed, {
        cause: err,
      });
    }
    let commit: string | undefined;
    try {
      commit = await commitAll({
        dir,
        author: { name: commitSpec.author.name ?? '', email: commitSpec.author.email },
        message,
        signingKey: source.signingKey,
        now: this.#now(),
      });
    } catch (err) {
      throw new GenericError(`failed to update source: ${errMessage(err)}`, ImageAutomationReasons.GitOperationFailed, {
        cause: err,
      });
    }
    if (!commit)
      throw new GenericError(
        'failed to update source: no changes to commit',
        ImageAutomationReasons.GitOperationFailed,
      );
    const push = obj.spec.git?.push;
    const force = (this.#o.featureGates?.GitForcePushBranch ?? true) && source.switchBranch;
    // go-git (Flux) pushes without the options when the server does not take them; we say so in the log
    const onPushOptionsUnsupported = (): void =>
      state.log.info(
        { options: Object.keys(push?.options ?? {}) },
        'the git server does not advertise push-options: pushed without the push options',
      );
    try {
      await this.#gitOp('failed to update source', source, (signal) =>
        pushBranch({
          url: source.url,
          auth: source.auth,
          proxy: source.proxy,
          signal,
          dir,
          ref: source.pushBranch,
          force,
          options: push?.options,
          onPushOptionsUnsupported,
        }),
      );
      if (push?.refspec) {
        const { src, dst, plus } = parseRefspec(push.refspec, source.pushBranch);
        await this.#gitOp('failed to update source', source, (signal) =>
          pushBranch({
            url: source.url,
            auth: source.auth,
            proxy: source.proxy,
            signal,
            dir,
            ref: src,
            remoteRef: dst,
            force: plus,
            options: push?.options,
            onPushOptionsUnsupported,
          }),
        );
      }
    } catch (err) {
      if (err instanceof GenericError && err.cause instanceof PushRejectedError && !force) return 'rejected';
      throw err;
    }
    return { commit, branch: source.pushBranch, message, time: rfc3339(this.#now()) };
  }

  /** Runs a git operation under the GitRepository's timeout; failures are GitOperationFailed `<context>: <err>`. */
  async #gitOp<T>(context: string, source: SourceConfig, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(source.timeoutMs);
    try {
      return await fn(signal);
    } catch (err) {
      throw new GenericError(`${context}: ${errMessage(err)}`, ImageAutomationReasons.GitOperationFailed, {
        cause: err,
      });
    }
  }

  async #secretData(namespace: string, name: string, signal: AbortSignal): Promise<Record<string, Uint8Array>> {
    const secret = await this.#o.secretReader.get<KubeObject & { data?: Record<string, string> }>(
      { apiVersion: 'v1', kind: 'Secret' },
      { namespace, name },
      { signal },
    );
    const out: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64');
    return out;
  }

  async #sourceConfig(obj: ImageUpdateAutomationObject, state: ImageUpdateAutomationState): Promise<SourceConfig> {
    const invalid = (msg: string): StallingError =>
      new StallingError(`${msg}: invalid source configuration`, ImageAutomationReasons.InvalidSourceConfiguration);
    const failed = (msg: string, cause?: unknown): GenericError =>
      new GenericError(`failed configuring source manager: ${msg}`, ImageAutomationReasons.SourceManagerFailed, {
        cause,
      });
    const ref = obj.spec.sourceRef;
    if (!ref) throw invalid('spec.sourceRef is required');
    const kind = ref.kind ?? 'GitRepository';
    if (kind !== 'GitRepository') throw invalid(`source kind '${kind}' not supported`);
    const gitSpec = obj.spec.git;
    if (!gitSpec) throw invalid("source kind 'GitRepository' necessitates field .spec.git");
    const ns = obj.metadata.namespace ?? '';
    const srcNs = ref.namespace || ns;
    if (this.#o.noCrossNamespaceRefs && srcNs !== ns)
      throw new StallingError(
        `can't access 'GitRepository/${srcNs}/${ref.name}', cross-namespace references have been blocked`,
        AccessDeniedReason,
      );
    let raw: KubeObject;
    try {
      raw = await this.#o.reader.get<KubeObject>(
        gitRepositoryGVK,
        { namespace: srcNs, name: ref.name },
        { signal: state.signal },
      );
    } catch (err) {
      if (isNotFound(err)) throw failed(`referenced git repository does not exist: ${errMessage(err)}`, err);
      throw failed(errMessage(err), err);
    }
    const repo = normalizeGitRepository(raw).object;
    const checkoutRef = (gitSpec.checkout?.ref ?? repo.spec.ref) as GitRef | undefined;
    let pushBranchName = gitSpec.push?.branch ?? '';
    let switchBranch = false;
    if (pushBranchName) {
      switchBranch = checkoutRef ? pushBranchName !== checkoutRef.branch : pushBranchName !== 'master';
    } else {
      if (!checkoutRef?.branch)
        throw failed(
          'push spec not provided, and cannot be inferred from .spec.git.checkout.ref or GitRepository .spec.ref',
        );
      pushBranchName = checkoutRef.branch;
    }
    let proxy: GitProxy | undefined;
    if (repo.spec.proxySecretRef) {
      const name = repo.spec.proxySecretRef.name;
      let data: Record<string, Uint8Array>;
      try {
        data = await this.#secretData(srcNs, name, state.signal);
      } catch (err) {
        throw failed(`failed to get proxy secret '${srcNs}/${name}': ${errMessage(err)}`, err);
      }
      if (!data['address']) throw failed(`invalid proxy secret '${srcNs}/${name}': key 'address' is missing`);
      proxy = proxyFromSecret(data);
    }
    let auth: GitAuth | undefined;
    if (repo.spec.secretRef) {
      const name = repo.spec.secretRef.name;
      let data: Record<string, Uint8Array>;
      try {
        data = await this.#secretData(srcNs, name, state.signal);
      } catch (err) {
        throw failed(`failed to get auth secret '${srcNs}/${name}': ${errMessage(err)}`, err);
      }
      try {
        auth = authFromSecret(data);
      } catch (err) {
        throw failed(`failed to configure authentication options: ${errMessage(err)}`, err);
      }
    }
    let signingKey: openpgp.PrivateKey | SshSigningKey | undefined;
    const sk = gitSpec.commit.signingKey;
    if (sk) {
      const type = sk.type ?? DefaultSigningKeyType;
      const name = sk.secretRef.name;
      let data: Record<string, Uint8Array>;
      try {
        data = await this.#secretData(ns, name, state.signal);
      } catch (err) {
        throw failed(`could not find signing key secret '${name}': ${errMessage(err)}`, err);
      }
      const text = (k: string): string | undefined => (data[k] ? Buffer.from(data[k]).toString('utf8') : undefined);
      if (type === 'ssh') {
        // SSH signing (gpg.format=ssh): `identity` and its optional `password`
        const identity = text('identity');
        if (!identity) throw failed(`signing key secret '${name}' does not contain an 'identity' key`);
        signingKey = { identity, passphrase: text('password') };
      } else {
        const asc = text('git.asc');
        if (!asc) throw failed(`signing key secret '${name}' does not contain a 'git.asc' key`);
        try {
          signingKey = await readSigningKey({ armoredKey: asc, passphrase: text('passphrase') });
        } catch (err) {
          throw failed(`could not read signing key from secret '${name}': ${errMessage(err)}`, err);
        }
      }
    }
    return {
      url: repo.spec.url,
      timeoutMs: parseGoDuration(repo.spec.timeout ?? '60s'),
      checkoutRef,
      pushBranch: pushBranchName,
      switchBranch,
      auth,
      proxy,
      signingKey,
    };
  }
}

/** Splits `spec.git.push.refspec` (`[+]<src>:<dst>`); a bare `<dst>` pushes the push branch there. */
export function parseRefspec(refspec: string, pushBranch: string): { src: string; dst: string; plus: boolean } {
  const plus = refspec.startsWith('+');
  const spec = plus ? refspec.slice(1) : refspec;
  const colon = spec.indexOf(':');
  const src = colon < 0 ? pushBranch : spec.slice(0, colon) || pushBranch;
  const dst = colon < 0 ? spec : spec.slice(colon + 1);
  const local = src === 'HEAD' ? pushBranch : src.replace(/^refs\/heads\//, '');
  return { src: local, dst, plus };
}
