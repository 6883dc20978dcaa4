export { main, sourceControllerNotice } from './main.ts';
export { sourceControllerFlags, sourceControllerFeatureGates } from './flags.ts';
