export { captureIO, commonBadFlags, describeControllerMain, writeTestKubeconfig } from './controller-main-suite.ts';
export type { CapturedIO, ControllerMain, ControllerMainSuiteOptions } from './controller-main-suite.ts';
export { until } from './until.ts';
export { capturedLogger } from './log-lines.ts';
export { kstatusViolations } from './kstatus.ts';
export type { KstatusCheckOptions, KstatusObject } from './kstatus.ts';
export { FLUX_CRDS_DIR, startTestEnv } from './test-env.ts';
export type { TestEnv, TestEnvOptions } from './test-env.ts';
