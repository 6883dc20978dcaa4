/** Shared meta types and constants of the Flux APIs (fluxcd/pkg `apis/meta`). */
export * from './schemas.ts';
export * from './constants.ts';
