export { captureIO, commonBadFlags, describeControllerMain, writeTestKubeconfig } from './controller-main-suite.ts';
export type { CapturedIO, ControllerMain, ControllerMainSuiteOptions } from './controller-main-suite.ts';
export { until } from './until.ts';
export { capturedLogger } from './log-lines.ts';
