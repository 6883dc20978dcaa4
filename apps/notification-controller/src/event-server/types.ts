import type { EventRecorder } from '@flux-ts/runtime';

/** Records Kubernetes Events on Alerts (the process's EventRecorder, without `--events-addr`). */
export type AlertEventRecorder = Pick<EventRecorder, 'event'>;
