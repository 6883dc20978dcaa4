/**
 * Port of kubernetes/kubernetes test/cmd/create.sh (dry-run, filter, error, job, kustomization directory and
 * --validate tests), same commands and expected values.
 *
 * Dropped cases: none of create.sh; `kubectl create job` / `create cronjob` send protobuf (Job and CronJob are
 * decoded, see body.ts), the kustomize fixture is a transcription of hack/testdata/kustomize.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fixture, ID, ifHasString, LABELS, startCmdEnv, type CmdEnv } from './harness.ts';

const IMAGE0 = '(index .spec.template.spec.containers 0).image';
const IMAGE_PERL = 'registry.k8s.io/perl';
const INVALID = fixture('invalid-deployment-unknown-and-duplicate-fields.yaml');

/** has_one_of_error_message of create.sh. */
const hasOneOf = (message: string, a: string, b: string): void => {
  ifHasString(message, `${a}|${b}`);
};

describe('test/cmd/create.sh', () => {
  let k: CmdEnv;
  beforeAll(async () => {
    k = await startCmdEnv();
  }, 30_000);
  afterAll(() => k.stop());

  it('run_kubectl_create_dry_run_tests', async () => {
    await k.useNewNamespace();
    await k.getObjectAssert('pods', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['create', '--dry-run=client', '-f', fixture('pod.yaml')]);
    await k.ok(['create', '--dry-run=server', '-f', fixture('pod.yaml')]);
    await k.getObjectAssert('pods', `{{range.items}}{{${ID}}}:{{end}}`, '');
  }, 30_000);

  it('run_kubectl_create_filter_tests', async () => {
    await k.useNewNamespace();
    await k.getObjectAssert('pods', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['create', '-l', 'unique-label=bingbang', '-f', fixture('filter')]);
    await k.getObjectAssert('pods selector-test-pod', `{{${LABELS}.name}}`, 'selector-test-pod');
    ifHasString(
      await k.fail(['get', 'pods', 'selector-test-pod-dont-apply']),
      'pods "selector-test-pod-dont-apply" not found',
    );
    await k.ok(['delete', 'pods', 'selector-test-pod']);
  }, 30_000);

  it('run_kubectl_create_error_tests: --raw posts a Pod to namespaces', async () => {
    await k.useNewNamespace();
    await k.fail(['create']);
    ifHasString(
      await k.fail(['create', '--raw', '/api/v1/namespaces', '-f', fixture('valid-pod.yaml'), '--v=8']),
      'the object provided is unrecognized \\(must be of type Namespace\\)',
    );
    ifHasString(
      await k.fail(['create', '--raw', '/api/v1/namespaces', '-f', fixture('valid-pod.yaml'), '--edit']),
      'raw and --edit are mutually exclusive',
    );
  }, 30_000);

  it('run_create_job_tests', async () => {
    await k.useNewNamespace();
    await k.ok(['create', 'job', 'test-job', '--image=registry.k8s.io/nginx:test-cmd']);
    await k.getObjectAssert('job test-job', `{{${IMAGE0}}}`, 'registry.k8s.io/nginx:test-cmd');
    await k.ok(['delete', 'job', 'test-job']);
    await k.ok([
      'create',
      'job',
      'test-job-pi',
      `--image=${IMAGE_PERL}`,
      '--',
      'perl',
      '-Mbignum=bpi',
      '-wle',
      'print bpi(20)',
    ]);
    await k.getObjectAssert('job test-job-pi', `{{${IMAGE0}}}`, IMAGE_PERL);
    await k.ok(['delete', 'job', 'test-job-pi']);
    await k.ok([
      'create',
      'cronjob',
      'test-pi',
      '--schedule=* */5 * * *',
      `--image=${IMAGE_PERL}`,
      '--',
      'perl',
      '-Mbignum=bpi',
      '-wle',
      'print bpi(10)',
    ]);
    await k.ok(['create', 'job', 'my-pi', '--from=cronjob/test-pi']);
    const out = await k.ok([
      'get',
      'job',
      'my-pi',
      '-o',
      'go-template={{(index .spec.template.spec.containers 0).command}}',
    ]);
    ifHasString(out, 'perl -Mbignum=bpi -wle print bpi\\(10\\)');
    await k.ok(['delete', 'job', 'my-pi']);
    await k.ok(['delete', 'cronjob', 'test-pi']);
  }, 30_000);

  it('run_kubectl_create_kustomization_directory_tests', async () => {
    await k.getObjectAssert(
      'configmaps --field-selector=metadata.name=test-the-map',
      `{{range.items}}{{${ID}}}:{{end}}`,
      '',
    );
    await k.getObjectAssert('deployment', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.getObjectAssert('services', `{{range.items}}{{${ID}}}:{{end}}`, '');
    await k.ok(['create', '-k', fixture('kustomize')]);
    await k.getObjectAssert('configmap test-the-map', `{{${ID}}}`, 'test-the-map');
    await k.getObjectAssert('deployment test-the-deployment', `{{${ID}}}`, 'test-the-deployment');
    await k.getObjectAssert('service test-the-service', `{{${ID}}}`, 'test-the-service');
    await k.ok(['delete', '-k', fixture('kustomize')]);
  }, 30_000);

  it('run_kubectl_create_validate_tests', async () => {
    await k.useNewNamespace();
    hasOneOf(await k.fail(['create', '-f', INVALID, '--validate']), 'strict decoding error', 'error validating data');
    hasOneOf(
      await k.fail(['create', '-f', INVALID, '--validate=true']),
      'strict decoding error',
      'error validating data',
    );
    ifHasString(
      await k.ok(['create', '-f', INVALID, '--validate=false']),
      'deployment.apps/invalid-nginx-deployment created',
    );
    await k.ok(['delete', 'deployment', 'invalid-nginx-deployment']);
    hasOneOf(
      await k.fail(['create', '-f', INVALID, '--validate=strict']),
      'strict decoding error',
      'error validating data',
    );
    ifHasString(
      await k.ok(['create', '-f', INVALID, '--validate=warn']),
      'deployment.apps/invalid-nginx-deployment created',
    );
    await k.ok(['delete', 'deployment', 'invalid-nginx-deployment']);
    ifHasString(
      await k.ok(['create', '-f', INVALID, '--validate=ignore']),
      'deployment.apps/invalid-nginx-deployment created',
    );
    await k.ok(['delete', 'deployment', 'invalid-nginx-deployment']);
    hasOneOf(await k.fail(['create', '-f', INVALID]), 'strict decoding error', 'error validating data');
    ifHasString(await k.fail(['create', '-f', INVALID, '--validate=foo']), 'invalid - validate option "foo"');
  }, 30_000);
});
