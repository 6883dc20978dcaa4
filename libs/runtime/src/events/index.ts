/** Event recording (fluxcd/pkg `runtime/events`): Kubernetes Events with aggregation plus Flux event forwarding. */
export { EventRecorder, EventType, apiGroupOf, redactUrlCredentials } from './recorder.ts';
/** Types of the event recorder. */
export type { EventClient, EventObject, RecordEvent, EventRecorderOptions } from './recorder.ts';
/** Flux's event payload and its delivery to notification-controller. */
export { postFluxEvent, EventSeverity, MaxEventMessageLength, redactAddress } from './flux-event.ts';
/** Types of the Flux event payload. */
export type { FluxEvent, FluxEventObjectReference, PostOptions, PostResult } from './flux-event.ts';
