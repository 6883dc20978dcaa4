/** Controllers: builder, worker loop over the work queue, predicates, event handlers and the TerminalError. */
export { Controller } from './controller.ts';
export type { ControllerOptions } from './controller.ts';
export { ControllerBuilder, controllerBuilder } from './builder.ts';
export type { ControllerManager, BuilderOptions, WatchOptions as ControllerWatchOptions } from './builder.ts';
export { TerminalError, isTerminalError } from './errors.ts';
export { predicates, passes } from './predicates.ts';
export type { Predicate } from './predicates.ts';
export { enqueueForObject, enqueueForOwner } from './handlers.ts';
export type { MapFunc } from './handlers.ts';
export { requestKey, parseRequestKey, requestFor, groupOf } from './types.ts';
export type {
  Request,
  ReconcileResult,
  ReconcileContext,
  Reconciler,
  InformerScopeLike,
  InformerEvent,
  EventSource,
  InformerProvider,
} from './types.ts';
