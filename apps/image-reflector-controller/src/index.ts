export { main, imageReflectorControllerNotice } from './main.ts';
export { imageReflectorControllerFlags, imageReflectorControllerFeatureGates } from './flags.ts';
