/** `flux-ts-apiserver --port 0 --kubeconfig FILE [--crds DIR] [--latency-ms N] [--simulate-ready-ms N] [--verbose]` */
import { parseArgs } from 'node:util';
import { startApiServer } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    kubeconfig: { type: 'string' },
    crds: { type: 'string' },
    'latency-ms': { type: 'string' },
    'simulate-ready-ms': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const server = await startApiServer({
  port: Number(values.port),
  host: values.host,
  ...(values.kubeconfig ? { kubeconfigPath: values.kubeconfig } : {}),
  ...(values.crds ? { crdsDir: values.crds } : {}),
  ...(values['latency-ms'] ? { latencyMs: Number(values['latency-ms']) } : {}),
  ...(values['simulate-ready-ms'] ? { simulation: { readyAfterMs: Number(values['simulate-ready-ms']) } } : {}),
  ...(values.verbose
    ? { onRequest: (e) => process.stderr.write(`${e.method} ${e.url} ${e.status} ${e.durationMs}ms ${e.userAgent}\n`) }
    : {}),
});
process.stdout.write(`${server.url}\n`);
if (values.kubeconfig) process.stderr.write(`kubeconfig written to ${values.kubeconfig}\n`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
