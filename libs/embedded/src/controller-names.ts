/** Flux's six controllers, in Flux's order: the Deployments deploy/install runs. */
export const FLUX_CONTROLLERS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
  'image-reflector-controller',
  'image-automation-controller',
] as const;

/** The optional controllers deploy/install-extra adds to {@link FLUX_CONTROLLERS}. */
export const EXTRA_CONTROLLERS = ['source-watcher'] as const;

/** Every controller flux-ts ships (an image, a Deployment of deploy/install-extra, a `/metrics`), Flux's six first. */
export const ALL_CONTROLLERS = [...FLUX_CONTROLLERS, ...EXTRA_CONTROLLERS] as const;

/** One of {@link ALL_CONTROLLERS}. */
export type ControllerName = (typeof ALL_CONTROLLERS)[number];
