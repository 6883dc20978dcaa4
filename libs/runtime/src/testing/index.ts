/**
 * Test doubles of the runtime, for unit tests only (`@flux-ts/runtime/testing`): never imported by production code
 * (ESLint `no-restricted-imports` enforces it outside `*.spec.ts` and the type:testing projects).
 */
export { FakeEventSource } from './fake-event-source.ts';
export { InMemoryLeaseClient, HttpError } from './in-memory-lease-client.ts';
export { FakeClock } from './fake-clock.ts';
