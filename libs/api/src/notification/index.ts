/** The `notification.toolkit.fluxcd.io` kinds: Alert, Provider (v1beta3) and Receiver (v1). */
export * from './constants.ts';
export * from './reference.ts';
export * from './alert.ts';
export * from './provider.ts';
export * from './receiver.ts';
