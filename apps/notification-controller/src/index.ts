export { main, notificationControllerNotice } from './main.ts';
export { notificationControllerFlags, notificationControllerFeatureGates } from './flags.ts';
