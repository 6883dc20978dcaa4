export { main, kustomizeControllerNotice } from './main.ts';
export { kustomizeControllerFlags, kustomizeControllerFeatureGates } from './flags.ts';
