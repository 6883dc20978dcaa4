/** @flux-ts/notifier: notification-controller's provider types, one payload and transport each. */
export { NopNotifier, createNotifier, prepareNotifier, supportedProviderTypes } from './factory.ts';
export { NotifierError } from './types.ts';
export type { Notifier, NotifierDeps, NotifierFactory, ProviderSettings, ProviderTLS } from './types.ts';
export { MAX_RESPONSE_BYTES, postMessage, redactURL, sendRequest } from './http.ts';
export type { HttpRequest, HttpResponse, TransportSettings } from './http.ts';
