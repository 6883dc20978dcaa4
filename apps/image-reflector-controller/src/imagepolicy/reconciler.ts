/**
 * The ImagePolicy reconciler (upstream `internal/controller/imagepolicy_controller.go`) on the runtime's reconcile
 * skeleton: the `digestReflectionPolicy: Always` interval check, the referenced ImageRepository (cross-namespace
 * through its `accessFrom`, `--no-cross-namespace-refs`), its image and workload identity checks, the policy over the
 * stored tags (`filterTags` first), and `status.latestRef` with the digest as `digestReflectionPolicy` asks.
 */
import {
  AccessDeniedReason,
  DigestReflectionPolicies,
  FeatureGateDisabledReason,
  ImageReflectorReasons,
  ReadyCondition,
  SucceededReason,
  normalizeImagePolicy,
  normalizeImageRepository,
} from '@flux-ts/api';
import type { ImagePolicy, ImageRepository } from '@flux-ts/api';
import { parseReference } from '@flux-ts/oci';
import {
  GenericError,
  Result,
  StallingError,
  WaitingError,
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
  ObjectReader,
  PatchClient,
  ReconcileContext,
  ReconcileStep,
  Request,
  RequeueResult,
  StatusObject,
} from '@flux-ts/runtime';
import { RegexFilter, policerFromSpec } from '../policy/policy.ts';
import { imageRepositoryGVK } from '../imagerepository/reconciler.ts';
import { parseImageReference, registryClientFor, timeoutOf } from '../registry/options.ts';
import type { RegistryAccess } from '../registry/options.ts';
import type { TagReader } from '../storage/tag-store.ts';
import { imagePolicyReadyCondition } from './conditions.ts';

/** The ImagePolicy kind as the reconciler reads it. */
export const imagePolicyGVK = Object.freeze({ apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' });

/** An ImagePolicy as the steps handle it. */
export type ImagePolicyObject = ImagePolicy & StatusObject;

type ImageRef = { name: string; tag: string; digest?: string };

/** What the steps of one reconcile share. */
export interface ImagePolicyState {
  log: Logger;
  signal: AbortSignal;
  readyMsg: string;
}

/** Dependencies and settings of {@link ImagePolicyReconciler}. */
export interface ImagePolicyReconcilerOptions {
  /** Reads ImagePolicies and ImageRepositories (the informer cache). */
  reader: ObjectReader;
  /** Reads Namespaces (their labels, for `accessFrom`), Secrets and ServiceAccounts: the API. */
  apiReader: ObjectReader;
  patchClient: PatchClient;
  access: RegistryAccess;
  tags: TagReader;
  recorder?: EventSink | undefined;
  fieldManager: string;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs?: boolean | undefined;
  objectLevelWorkloadIdentity?: boolean | undefined;
}

/** `name:tag[@digest]` (upstream `ImageRef.String`). */
export function imageRefString(ref: ImageRef): string {
  return `${ref.name}:${ref.tag}${ref.digest ? `@${ref.digest}` : ''}`;
}

function sameRef(a: ImageRef | undefined, b: ImageRef | undefined): boolean {
  return (
    a !== undefined && b !== undefined && a.name === b.name && a.tag === b.tag && (a.digest ?? '') === (b.digest ?? '')
  );
}

/** upstream `composeImagePolicyReadyMessage`. */
export function composeImagePolicyReadyMessage(obj: ImagePolicy): string {
  const latest = obj.status?.latestRef;
  if (!latest) return '';
  let msg = `Latest image tag for ${latest.name} resolved to ${latest.tag}`;
  if (latest.digest) msg += ` with digest ${latest.digest}`;
  const prev = obj.status?.observedPreviousRef;
  if (prev && !sameRef(latest, prev)) {
    msg += ` (previously ${prev.name}:${prev.tag}`;
    if (prev.digest) msg += `@${prev.digest}`;
    msg += ')';
  }
  return msg;
}

/** The reconcile interval of an ImagePolicy: `spec.interval` with digest reflection Always, else none (watches). */
export function imagePolicyInterval(obj: ImagePolicy): number {
  return obj.spec.digestReflectionPolicy === DigestReflectionPolicies.Always && obj.spec.interval
    ? parseGoDuration(obj.spec.interval)
    : 0;
}

/** The `ns/name` an ImagePolicy's `imageRepositoryRef` points at (the field index value). */
export function imageRepositoryKey(obj: ImagePolicy): string {
  return `${obj.spec.imageRepositoryRef.namespace || obj.metadata.namespace || ''}/${obj.spec.imageRepositoryRef.name}`;
}

class AccessDenied extends Error {}

/** Reconciles ImagePolicy objects. */
export class ImagePolicyReconciler {
  readonly #o: ImagePolicyReconcilerOptions;
  readonly steps: readonly ReconcileStep<ImagePolicyObject, ImagePolicyState>[];
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: ImagePolicyReconcilerOptions) {
    this.#o = options;
    this.steps = [{ name: 'reconcilePolicy', run: (obj, state) => this.reconcilePolicy(obj, state) }];
    this.reconcile = reconcileWith<ImagePolicyObject, ImagePolicyState>({
      gvk: imagePolicyGVK,
      reader: options.reader,
      patchClient: options.patchClient,
      conditions: imagePolicyReadyCondition,
      fieldManager: options.fieldManager,
      finalizerMode: 'patch',
      decode: (raw) => normalizeImagePolicy(raw).object as ImagePolicyObject,
      start: { inProgress: true },
      finalize: async () => {
        // nothing outside the object
      },
      open: async (_obj, ctx) => ({ log: ctx.log, signal: ctx.signal, readyMsg: '' }),
      steps: this.steps,
      exit: (obj, outcome, ctx) => {
        const readyMsg = outcome.state?.readyMsg ?? '';
        const old = ctx.observed;
        const changed = !conditions.isReady(old) || conditions.getMessage(old, ReadyCondition) !== readyMsg;
        return {
          interval: imagePolicyInterval(obj),
          jitterPercent: 0,
          recorder: this.#o.recorder,
          log: ctx.log,
          readyFromError: true,
          failureReason: ImageReflectorReasons.Failure,
          // only a run of the steps decides Ready and its event (not the finalizer or deletion path)
          ...(outcome.state && !outcome.deleting
            ? {
                readyOnSuccess: { reason: SucceededReason, message: readyMsg },
                successEvent: changed
                  ? { type: 'Normal', reason: SucceededReason, message: readyMsg }
                  : { type: 'Trace', reason: SucceededReason, message: readyMsg },
              }
            : {}),
        };
      },
    });
  }

  /** upstream `getImageRepository`: the referenced repository if this policy may read it. */
  async getImageRepository(obj: ImagePolicyObject, signal: AbortSignal): Promise<ImageRepository> {
    const ns = obj.metadata.namespace ?? '';
    const refNs = obj.spec.imageRepositoryRef.namespace || ns;
    const name = obj.spec.imageRepositoryRef.name;
    if (this.#o.noCrossNamespaceRefs && refNs !== ns)
      throw new AccessDenied(
        `cannot access 'ImageRepository/${refNs}/${name}', cross-namespace references have been blocked`,
      );
    const raw = await this.#o.reader.get<KubeObject>(imageRepositoryGVK, { namespace: refNs, name }, { signal });
    const repo = normalizeImageRepository(raw).object;
    if (refNs !== ns) {
      const acl = repo.spec.accessFrom;
      if (!acl)
        throw new AccessDenied(
          `access denied: '${refNs}/${name}' can't be accessed due to missing ACL labels on 'accessFrom'`,
        );
      const namespace = await this.#o.apiReader.get<KubeObject>(
        { apiVersion: 'v1', kind: 'Namespace' },
        { name: ns },
        { signal },
      );
      const labels = namespace.metadata.labels ?? {};
      // matchLabels only (fluxcd/pkg acl): every pair must be on the namespace; an empty map matches all
      const allowed = acl.namespaceSelectors.some((s) =>
        Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
      );
      if (!allowed)
        throw new AccessDenied(
          `access denied: '${refNs}/${name}' can't be accessed due to ACL labels mismatch on namespace '${ns}'`,
        );
    }
    return repo;
  }

  /** The one step: see the module comment. */
  async reconcilePolicy(obj: ImagePolicyObject, state: ImagePolicyState): Promise<Result> {
    if (obj.spec.digestReflectionPolicy === DigestReflectionPolicies.Always && !obj.spec.interval)
      throw new StallingError(
        "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
        ImageReflectorReasons.IntervalNotConfigured,
      );
    let repo: ImageRepository;
    try {
      repo = await this.getImageRepository(obj, state.signal);
    } catch (err) {
      const reason =
        err instanceof AccessDenied
          ? AccessDeniedReason
          : isNotFound(err)
            ? ImageReflectorReasons.DependencyNotReady
            : ImageReflectorReasons.Failure;
      const detail = isNotFound(err)
        ? `referenced ImageRepository does not exist: ${errMessage(err)}`
        : errMessage(err);
      throw new GenericError(`failed to get the referred ImageRepository: ${detail}`, reason, { cause: err });
    }
    try {
      parseImageReference(repo.spec.image);
    } catch (err) {
      throw new StallingError(errMessage(err), ImageReflectorReasons.ImageURLInvalid, { cause: err });
    }
    if (
      (repo.spec.provider ?? 'generic') !== 'generic' &&
      repo.spec.serviceAccountName &&
      !this.#o.objectLevelWorkloadIdentity
    )
      throw new StallingError(
        'to use spec.serviceAccountName in the ImageRepository for provider authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller',
        FeatureGateDisabledReason,
      );

    const latest = await this.latestTag(obj, repo);
    await this.updateImageRefs(obj, repo, latest, state.signal);
    state.readyMsg = composeImagePolicyReadyMessage(obj);
    conditions.remove(obj, ReadyCondition);
    return Result.Success;
  }

  /** upstream `applyPolicy`: the latest tag of the stored tags under the policy (after `filterTags`). */
  async latestTag(obj: ImagePolicy, repo: ImageRepository): Promise<string> {
    let policer;
    try {
      policer = policerFromSpec(obj.spec.policy);
    } catch (err) {
      throw new StallingError(`invalid policy: ${errMessage(err)}`, ImageReflectorReasons.InvalidPolicy, {
        cause: err,
      });
    }
    let filter: RegexFilter | undefined;
    if (obj.spec.filterTags) {
      try {
        filter = new RegexFilter(obj.spec.filterTags.pattern ?? '', obj.spec.filterTags.extract ?? '');
      } catch (err) {
        throw new StallingError(`failed to filter tags: ${errMessage(err)}`, ImageReflectorReasons.InvalidPolicy, {
          cause: err,
        });
      }
    }
    const id = { namespace: repo.metadata.namespace ?? '', name: repo.metadata.name };
    const tags: string[] = [];
    try {
      for await (const t of this.#o.tags.tags(id)) tags.push(t);
    } catch (err) {
      throw new GenericError(`failed to read tags from database: ${errMessage(err)}`, ImageReflectorReasons.Failure, {
        cause: err,
      });
    }
    if (tags.length === 0)
      throw new WaitingError('no tags in database', ImageReflectorReasons.DependencyNotReady, imagePolicyInterval(obj));
    try {
      if (filter) {
        filter.apply(tags);
        tags.length = 0;
        return filter.originalTag(policer.latest(filter.items()));
      }
      return policer.latest(tags);
    } catch (err) {
      throw new GenericError(errMessage(err), ImageReflectorReasons.Failure, { cause: err });
    }
  }

  /** upstream `updateImageRefs`: the new `latestRef` (digest per the reflection policy) and `observedPreviousRef`. */
  async updateImageRefs(
    obj: ImagePolicyObject,
    repo: ImageRepository,
    latest: string,
    signal: AbortSignal,
  ): Promise<void> {
    const ref: ImageRef = { name: repo.spec.image, tag: latest };
    const current = obj.status?.latestRef;
    let fetch = false;
    const policy = obj.spec.digestReflectionPolicy ?? DigestReflectionPolicies.Never;
    if (policy === DigestReflectionPolicies.IfNotPresent) {
      fetch = !current || current.name !== ref.name || current.tag !== ref.tag || !current.digest;
      if (!fetch && current?.digest) ref.digest = current.digest;
    } else if (policy === DigestReflectionPolicies.Always) fetch = true;
    if (fetch) {
      try {
        ref.digest = await this.fetchDigest(repo, latest, signal);
      } catch (err) {
        throw new GenericError(
          `failed fetching digest of ${imageRefString(ref)}: ${errMessage(err)}`,
          ImageReflectorReasons.Failure,
          {
            cause: err,
          },
        );
      }
    }
    obj.status ??= {};
    if (!current || !sameRef(ref, current)) {
      if (current) obj.status.observedPreviousRef = current;
      else delete obj.status.observedPreviousRef;
      obj.status.latestRef = ref;
    }
  }

  /** upstream `fetchDigest`: a manifest HEAD through the repository's registry settings. */
  async fetchDigest(repo: ImageRepository, latest: string, signal: AbortSignal): Promise<string> {
    const text = `${repo.spec.image}:${latest}`;
    let tagRef;
    try {
      tagRef = parseReference(text);
    } catch (err) {
      throw new Error(`failed parsing reference "${text}": ${errMessage(err)}`, { cause: err });
    }
    const repoRef = parseImageReference(repo.spec.image);
    const timeoutMs = timeoutOf(repo, parseGoDuration);
    let client;
    try {
      client = await registryClientFor(repo, repoRef, this.#o.access, { timeoutMs, signal });
    } catch (err) {
      throw new Error(`failed to configure authentication options: ${errMessage(err)}`, { cause: err });
    }
    try {
      const head = await client.headManifest(tagRef, AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]));
      return head.digest;
    } catch (err) {
      throw new Error(
        `failed fetching descriptor for "${tagRef.registry}/${tagRef.repository}:${latest}": ${errMessage(err)}`,
        {
          cause: err,
        },
      );
    } finally {
      client.close();
    }
  }
}
