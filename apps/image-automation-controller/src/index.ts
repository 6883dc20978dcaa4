export { main, imageAutomationControllerNotice } from './main.ts';
export { imageAutomationControllerFlags, imageAutomationControllerFeatureGates } from './flags.ts';
