export {
  GenericOIDCReceiverType,
  ReceiverReconciler,
  readReceiverToken,
  receiverGVK,
  receiverInitializedMessage,
  receiverInterval,
  secretGVK,
  webhookPathFor,
} from './reconciler.ts';
export type { ReceiverObject, ReceiverReconcilerOptions, ReceiverState, SecretObject } from './reconciler.ts';
export { receiverReadyCondition } from './conditions.ts';
export {
  SecretRefIndexKey,
  WebhookPathIndexKey,
  indexReceiverSecretRef,
  indexReceiverWebhookPath,
  setupReceiverController,
} from './setup.ts';
export type { ReceiverControllerDeps } from './setup.ts';
export { MaxReceiverRequestBytes, buildReceiverServer } from './server.ts';
export type { ReceiverLookup, ReceiverServerDeps } from './server.ts';
export { setupReceivers } from './wiring.ts';
export type { SetupReceiversDeps } from './wiring.ts';
