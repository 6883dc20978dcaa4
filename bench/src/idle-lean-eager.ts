// Preloaded (`NODE_OPTIONS=--import=…`) into a controller to measure, on the same checkout, what it loaded at start
// before the lazy CEL and notifier-SDK lever (issue 22): @flux-ts/schema's main entry with its CEL engine (which
// libs/api's index, libs/runtime's informer and dependsOn, libs/ssa's health checks imported statically) in every
// controller, and in notification-controller also the SDKs that libs/notifier imported at start (@sentry/core,
// @nats-io/transport-node, the OpenTelemetry packages). The controller is known by its bin script.
const common = ['@flux-ts/schema', '@bufbuild/cel', '@bufbuild/cel/ext'];
const notifier = [
  '@sentry/core',
  '@nats-io/transport-node',
  '@opentelemetry/api',
  '@opentelemetry/otlp-transformer',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace',
];
const isNotificationController = /flux-ts-notification-controller\.js$/.test(process.argv[1] ?? '');
for (const m of [...common, ...(isNotificationController ? notifier : [])]) await import(m);
