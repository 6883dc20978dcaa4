// `flux-ts-helm template NAME CHART [flags]`: prints what `helm template` (3.18.0) prints. The only module of the
// package that reads argv and the environment.
import { runCli } from './template.ts';

const r = runCli(process.argv.slice(2), { cwd: process.cwd(), env: { HELM_NAMESPACE: process.env['HELM_NAMESPACE'] } });
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
process.exitCode = r.code;
