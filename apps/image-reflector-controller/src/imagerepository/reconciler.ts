/**
 * The ImageRepository reconciler (upstream `internal/controller/imagerepository_controller.go`) on the runtime's
 * reconcile skeleton: the workload identity gate, the image reference (Stalled ImageURLInvalid), the registry
 * client (Ready=False AuthenticationFailed), `shouldScan` (first scan, reconcile request, new image name, updated
 * exclusion list, no tags in the database, interval elapsed) and the scan: all tags with Link paging, the exclusion
 * list, the tags stored on disk (@see TagStore) and `status.lastScanResult`. Between scans a reconcile is a no-op
 * requeued at the next scan time.
 */
import {
  DefaultImageExclusionList,
  FeatureGateDisabledReason,
  ImageReflectorReasons,
  ProgressingReason,
  ReadyCondition,
  ReconcileRequestAnnotation,
  StalledCondition,
  SucceededReason,
  normalizeImageRepository,
} from '@flux-ts/api';
import type { ImageRepository } from '@flux-ts/api';
import {
  GenericError,
  Result,
  StallingError,
  conditions,
  errMessage,
  formatGoDuration,
  parseGoDuration,
  reconcileWith,
} from '@flux-ts/runtime';
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
import { compileGoRegexp } from '../policy/go-regexp.ts';
import { parseImageReference, registryClientFor, timeoutOf } from '../registry/options.ts';
import type { ImageRepositoryRef, RegistryAccess } from '../registry/options.ts';
import type { TagStore } from '../storage/tag-store.ts';
import { imageRepositoryReadyCondition } from './conditions.ts';

/** The ImageRepository kind as the reconciler reads it. */
export const imageRepositoryGVK = Object.freeze({ apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository' });

/** An ImageRepository as the steps handle it. */
export type ImageRepositoryObject = ImageRepository & StatusObject;

/** Number of tags in `status.lastScanResult.latestTags`. */
export const latestTagsCount = 10;

/** upstream's reasons for a scan (the Reconciling message `scanning: <reason>`). */
export const ScanReasons = {
  NeverScanned: 'first scan',
  ReconcileRequested: 'reconcile requested',
  NewImageName: 'new image name',
  UpdatedExclusionList: 'updated exclusion list',
  EmptyDatabase: 'no tags in database',
  Interval: 'triggered by interval',
} as const;

/** What the steps of one reconcile share. */
export interface ImageRepositoryState {
  log: Logger;
  signal: AbortSignal;
  ctx: LoopContext<ImageRepositoryObject>;
  /** When the next scan is due (ms): the success requeue. */
  nextScanMs: number;
  /** The trace message of a no-op or successful scan. */
  nextScanMsg: string;
}

/** Dependencies and settings of {@link ImageRepositoryReconciler}; only `main.ts` derives them from flags and env. */
export interface ImageRepositoryReconcilerOptions {
  /** Reads ImageRepository objects (the informer cache). */
  reader: ObjectReader;
  /** Patches their status (the Kubernetes client). */
  patchClient: PatchClient;
  /** Secrets, ServiceAccounts, ECR tokens, lookup. */
  access: RegistryAccess;
  tags: TagStore;
  recorder?: EventSink | undefined;
  /** Field manager of the status patches (the controller name). */
  fieldManager: string;
  /** The `ObjectLevelWorkloadIdentity` feature gate. */
  objectLevelWorkloadIdentity?: boolean | undefined;
  now?: () => number;
}

/** `spec.exclusionList`, or Flux's default when unset. */
export function exclusionListOf(obj: ImageRepository): string[] {
  return obj.spec.exclusionList ?? [...DefaultImageExclusionList];
}

/** upstream `filterOutTags`: drops the tags any pattern matches; throws `failed to compile regex <p>: …`. */
export function filterOutTags(tags: readonly string[], patterns: readonly string[]): string[] {
  const compiled = patterns.map((p) => {
    try {
      return compileGoRegexp(p);
    } catch (err) {
      throw new Error(`failed to compile regex ${p}: ${errMessage(err)}`, { cause: err });
    }
  });
  return tags.filter((t) => !compiled.some((re) => re.test(t)));
}

/** Sorts tags in place in descending byte order (upstream `sortTagsAndGetLatestTags`); returns the first ten. */
export function sortTagsAndGetLatestTags(tags: string[]): string[] {
  tags.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  return tags.slice(0, latestTagsCount);
}

function sameContent(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Reconciles ImageRepository objects. */
export class ImageRepositoryReconciler {
  readonly #o: ImageRepositoryReconcilerOptions;
  /** The ordered steps, each table-testable alone with a {@link ImageRepositoryState}. */
  readonly steps: readonly ReconcileStep<ImageRepositoryObject, ImageRepositoryState>[];
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: ImageRepositoryReconcilerOptions) {
    this.#o = options;
    this.steps = [{ name: 'reconcileScan', run: (obj, state) => this.reconcileScan(obj, state) }];
    this.reconcile = reconcileWith<ImageRepositoryObject, ImageRepositoryState>({
      gvk: imageRepositoryGVK,
      reader: options.reader,
      patchClient: options.patchClient,
      conditions: imageRepositoryReadyCondition,
      fieldManager: options.fieldManager,
      finalizerMode: 'patch',
      decode: (raw) => normalizeImageRepository(raw).object as ImageRepositoryObject,
      start: { inProgress: true, patchOnRequest: true },
      finalize: async (obj) => {
        await this.#o.tags.delete({ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name });
      },
      open: async (obj, ctx) => ({
        log: ctx.log,
        signal: ctx.signal,
        ctx,
        nextScanMs: parseGoDuration(obj.spec.interval),
        nextScanMsg: '',
      }),
      steps: this.steps,
      exit: (obj, outcome, ctx) => {
        const scan = obj.status?.lastScanResult;
        const readyMsg = `successful scan: found ${scan?.tagCount ?? 0} tags with checksum ${scan?.revision ?? ''}`;
        const old = ctx.observed;
        const wasReady = conditions.isReady(old);
        const changed = !wasReady || conditions.getMessage(old, ReadyCondition) !== readyMsg;
        return {
          interval: outcome.state?.nextScanMs ?? parseGoDuration(obj.spec.interval),
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
                  : { type: 'Trace', reason: SucceededReason, message: outcome.state?.nextScanMsg ?? '' },
              }
            : {}),
        };
      },
    });
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /**
   * upstream `shouldScan`: whether to scan now, the reason, and when the next scan is due (ms). Throws when the stored
   * tags cannot be read.
   */
  async shouldScan(
    obj: ImageRepositoryObject,
    ref: ImageRepositoryRef,
  ): Promise<{ scan: boolean; whenMs: number; why: string }> {
    const interval = parseGoDuration(obj.spec.interval);
    const last = obj.status?.lastScanResult;
    if (!last) return { scan: true, whenMs: interval, why: ScanReasons.NeverScanned };
    const requested = obj.metadata.annotations?.[ReconcileRequestAnnotation];
    if (requested !== undefined && requested !== (obj.status?.lastHandledReconcileAt ?? ''))
      return { scan: true, whenMs: interval, why: ScanReasons.ReconcileRequested };
    if (ref.canonical !== obj.status?.canonicalImageName)
      return { scan: true, whenMs: interval, why: ScanReasons.NewImageName };
    if (!sameContent(exclusionListOf(obj), obj.status?.observedExclusionList ?? []))
      return { scan: true, whenMs: interval, why: ScanReasons.UpdatedExclusionList };
    if (!(await this.#o.tags.has({ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name })))
      return { scan: true, whenMs: interval, why: ScanReasons.EmptyDatabase };
    const scanTime = last.scanTime ? Date.parse(last.scanTime) : 0;
    const when = interval - (this.#now() - scanTime);
    if (when < 1000) return { scan: true, whenMs: interval, why: ScanReasons.Interval };
    return { scan: false, whenMs: when, why: '' };
  }

  /** The one step: see the module comment. */
  async reconcileScan(obj: ImageRepositoryObject, state: ImageRepositoryState): Promise<Result> {
    const spec = obj.spec;
    if ((spec.provider ?? 'generic') !== 'generic' && spec.serviceAccountName && !this.#o.objectLevelWorkloadIdentity)
      throw new StallingError(
        'to use spec.serviceAccountName for provider authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller',
        FeatureGateDisabledReason,
      );

    let ref: ImageRepositoryRef;
    try {
      ref = parseImageReference(spec.image);
    } catch (err) {
      throw new StallingError(errMessage(err), ImageReflectorReasons.ImageURLInvalid, { cause: err });
    }
    conditions.remove(obj, StalledCondition);

    const timeoutMs = timeoutOf(obj, parseGoDuration);
    let decision: { scan: boolean; whenMs: number; why: string };
    try {
      decision = await this.shouldScan(obj, ref);
    } catch (err) {
      throw new GenericError(
        `failed to determine if it's scan time: ${errMessage(err)}`,
        ImageReflectorReasons.Failure,
        {
          cause: err,
        },
      );
    }

    if (decision.scan) {
      const client = await registryClientFor(obj, ref, this.#o.access, { timeoutMs, signal: state.signal }).catch(
        (err: unknown) => {
          throw new GenericError(
            `failed to configure authentication options: ${errMessage(err)}`,
            ImageReflectorReasons.AuthenticationFailed,
            { cause: err },
          );
        },
      );
      // When the database is empty, Ready goes Unknown so that ImagePolicies waiting on it see a transition.
      const drift = decision.why === ScanReasons.EmptyDatabase;
      const message = `scanning: ${decision.why}`;
      conditions.markReconciling(obj, ProgressingReason, message);
      if (drift || !conditions.isFalse(obj, ReadyCondition))
        conditions.markUnknown(obj, ReadyCondition, ProgressingReason, message);
      await state.ctx.patcher.patch(obj, {
        ownedConditions: imageRepositoryReadyCondition.owned,
        fieldManager: this.#o.fieldManager,
        signal: state.signal,
      });
      const before = obj.status?.lastScanResult?.revision;
      try {
        await this.scan(obj, ref, client, AbortSignal.any([state.signal, AbortSignal.timeout(timeoutMs)]));
      } catch (err) {
        if ((spec.provider ?? 'generic') === 'aws') this.#o.access.ecr.invalidate(ref.registry);
        throw new GenericError(`scan failed: ${errMessage(err)}`, ImageReflectorReasons.ReadOperationFailed, {
          cause: err,
        });
      } finally {
        client.close();
      }
      const next = `next scan in ${formatGoDuration(decision.whenMs)}`;
      state.nextScanMsg =
        before !== undefined && before === obj.status?.lastScanResult?.revision
          ? `tags did not change, ${next}`
          : `successful scan, ${next}`;
    } else {
      state.nextScanMsg = `no change in repository configuration since last scan, next scan in ${formatGoDuration(decision.whenMs)}`;
    }
    obj.status ??= {};
    obj.status.canonicalImageName = ref.canonical;
    obj.status.observedExclusionList = exclusionListOf(obj);
    conditions.remove(obj, ReadyCondition);
    state.nextScanMs = decision.whenMs;
    return Result.Success;
  }

  /** upstream `scan`: lists the tags, filters, sorts, stores, and records `status.lastScanResult`. */
  async scan(
    obj: ImageRepositoryObject,
    ref: ImageRepositoryRef,
    client: { listTags(registry: string, repository: string, signal: AbortSignal): Promise<string[]> },
    signal: AbortSignal,
  ): Promise<void> {
    const tags = await client.listTags(ref.registry, ref.repository, signal);
    const filtered = filterOutTags(tags, exclusionListOf(obj));
    tags.length = 0;
    const latestTags = sortTagsAndGetLatestTags(filtered);
    const revision = await this.#o.tags
      .setTags({ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name }, filtered)
      .catch((err: unknown) => {
        throw new Error(`failed to set tags for "${ref.canonical}": ${errMessage(err)}`, { cause: err });
      });
    obj.status ??= {};
    obj.status.lastScanResult = {
      revision,
      tagCount: filtered.length,
      scanTime: new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(latestTags.length ? { latestTags } : {}),
    };
  }
}
