export { BucketDefaultTimeout, BucketReconciler, bucketGVK } from './reconciler.ts';
export type { BucketReconcilerOptions, BucketState } from './reconciler.ts';
export { bucketFailConditions, bucketReadyCondition } from './conditions.ts';
export { MaxConcurrentBucketFetches, indexDigest } from './fetch.ts';
export { setupBucketController } from './setup.ts';
export type { BucketControllerDeps } from './setup.ts';
