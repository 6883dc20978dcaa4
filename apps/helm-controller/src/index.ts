export { main, helmControllerNotice } from './main.ts';
export { helmControllerFlags, helmControllerFeatureGates } from './flags.ts';
