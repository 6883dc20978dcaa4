/**
 * Port of kubernetes/kubernetes test/cmd/crd.sh (run_crd_tests, run_non_native_resource_tests), same commands and
 * expected values. The CRDs are written at apiextensions.k8s.io/v1 (crd.sh's v1beta1 was removed in Kubernetes 1.22):
 * `versions: [{name, served, storage, schema: x-kubernetes-preserve-unknown-fields}]` for v1beta1's `version`, and
 * validfoos keeps its schema (`spec: array of number`) under `versions[0].schema`.
 *
 * Dropped cases:
 * - `--prune-whitelist`: kubectl 1.32 names the flag `--prune-allowlist` (same values).
 * - kube::util::non_native_resources' 30×10 s retry loop: the server establishes a CRD within its create request,
 *   one pass of the three `get --raw` checks is kept.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, ID, ifHasString, startCmdEnv, type CmdEnv } from './harness.ts';

const LIST = `{{range.items}}{{${ID}}}:{{end}}`;

const crd = (name: string, group: string, version: string, names: Record<string, string>, schema?: unknown): string =>
  JSON.stringify({
    kind: 'CustomResourceDefinition',
    apiVersion: 'apiextensions.k8s.io/v1',
    metadata: { name },
    spec: {
      group,
      scope: 'Namespaced',
      names,
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      ],
    },
  });

describe('test/cmd/crd.sh', () => {
  let k: CmdEnv;
  beforeAll(async () => {
    k = await startCmdEnv();
  }, 30_000);
  afterAll(() => k.stop());

  it('run_crd_tests: create the CRDs', async () => {
    await k.useNewNamespace();
    await k.ok(['create', '-f', '-'], {
      stdin: crd('foos.company.com', 'company.com', 'v1', { plural: 'foos', kind: 'Foo' }),
    });
    await k.getObjectAssert(
      'customresourcedefinitions',
      `{{range.items}}{{if eq ${ID} "foos.company.com"}}{{${ID}}}:{{end}}{{end}}`,
      'foos.company.com:',
    );
    await k.ok(['create', '-f', '-'], {
      stdin: crd('bars.company.com', 'company.com', 'v1', { plural: 'bars', kind: 'Bar' }),
    });
    await k.getObjectAssert(
      'customresourcedefinitions',
      `{{range.items}}{{if eq ${ID} "foos.company.com" "bars.company.com"}}{{${ID}}}:{{end}}{{end}}`,
      'bars.company.com:foos.company.com:',
    );
    await k.ok(['create', '-f', '-'], {
      stdin: crd('resources.mygroup.example.com', 'mygroup.example.com', 'v1alpha1', {
        plural: 'resources',
        singular: 'resource',
        kind: 'Kind',
        listKind: 'KindList',
      }),
    });
    await k.getObjectAssert(
      'customresourcedefinitions',
      `{{range.items}}{{if eq ${ID} "foos.company.com" "bars.company.com" "resources.mygroup.example.com"}}{{${ID}}}:{{end}}{{end}}`,
      'bars.company.com:foos.company.com:resources.mygroup.example.com:',
    );
    await k.ok(['create', '-f', '-'], {
      stdin: crd(
        'validfoos.company.com',
        'company.com',
        'v1',
        { plural: 'validfoos', kind: 'ValidFoo' },
        {
          type: 'object',
          properties: { spec: { type: 'array', items: { type: 'number' } } },
        },
      ),
    });
    await k.getObjectAssert(
      'customresourcedefinitions',
      `{{range.items}}{{if eq ${ID} "foos.company.com" "bars.company.com" "resources.mygroup.example.com" "validfoos.company.com"}}{{${ID}}}:{{end}}{{end}}`,
      'bars.company.com:foos.company.com:resources.mygroup.example.com:validfoos.company.com:',
    );
  }, 30_000);

  it('run_non_native_resource_tests: list, create, name printer, printers', async () => {
    await k.useNewNamespace();
    for (const p of ['/apis/company.com/v1', '/apis/company.com/v1/foos', '/apis/company.com/v1/bars'])
      await k.ok(['get', '--raw', p]);
    await k.getObjectAssert('foos', LIST, '');
    await k.getObjectAssert('bars', LIST, '');
    await k.getObjectAssert('resources', LIST, '');
    await k.ok(['create', '-f', fixture('CRD/resource.yaml')]);
    for (const ref of ['resource/myobj', 'resources/myobj', 'kind.mygroup.example.com/myobj'])
      ifHasString(await k.ok(['get', ref, '-o', 'name']), 'kind.mygroup.example.com/myobj');
    await k.ok(['delete', 'resources', 'myobj', '--cascade=background']);
    await k.waitObjectAssert('resources', LIST, '');

    await k.ok(['create', '-f', fixture('CRD/foo.yaml')]);
    await k.getObjectAssert('foos', LIST, 'test:');
    for (const form of ['foo', 'foos.company.com', 'foos.v1.company.com']) await k.getObjectAssert(form, LIST, 'test:');
    for (const args of [
      ['foos'],
      ['foos/test'],
      ['foos', '-o', 'name'],
      ['foos/test', '-o', 'name'],
      ['foos', '-o', 'wide'],
      ['foos/test', '-o', 'wide'],
      ['foos', '-o', 'json'],
      ['foos/test', '-o', 'json'],
      ['foos', '-o', 'yaml'],
      ['foos/test', '-o', 'yaml'],
      ['foos', '-o', 'jsonpath={.items[*].someField}', '--allow-missing-template-keys=false'],
      ['foos/test', '-o', 'jsonpath={.someField}', '--allow-missing-template-keys=false'],
      ['foos', '-o', 'go-template={{range .items}}{{.someField}}{{end}}', '--allow-missing-template-keys=false'],
      ['foos/test', '-o', 'go-template={{.someField}}', '--allow-missing-template-keys=false'],
    ])
      await k.ok(['get', ...args]);
    ifHasString(await k.ok(['get', 'foos/test', '-o', 'name']), 'foo.company.com/test');
  }, 60_000);

  it('run_non_native_resource_tests: patch, label, annotate, describe', async () => {
    await k.ok(['patch', 'foos/test', '-p', '{"patched":"value1"}', '--type=merge']);
    await k.getObjectAssert('foos/test', '{{.patched}}', 'value1');
    await k.ok(['patch', 'foos/test', '-p', '{"patched":"value2"}', '--type=merge', '--record']);
    await k.getObjectAssert('foos/test', '{{.patched}}', 'value2');
    await k.ok(['patch', 'foos/test', '-p', '{"patched":null}', '--type=merge', '--record']);
    await k.getObjectAssert('foos/test', '{{.patched}}', '<no value>');
    const local = `${k.cluster.dir}/crd-foos-test.json`;
    await writeFile(local, await k.ok(['get', 'foos/test', '-o', 'json']));
    const r = await k.run(['patch', '--local', '-f', local, '-p', '{"patched":"value3"}']);
    expect(r.code).not.toBe(0);
    ifHasString(r.stderr, 'try --type merge');
    await k.ok(['patch', '--local', '-f', local, '-p', '{"patched":"value3"}', '--type=merge', '-o', 'json']);
    await k.ok(['patch', '--record', '-f', local, '-p', '{"patched":"value3"}', '--type=merge', '-o', 'json']);
    await k.getObjectAssert('foos/test', '{{.patched}}', 'value3');

    await k.ok(['label', 'foos', '--all', 'listlabel=true']);
    await k.ok(['label', 'foo/test', 'itemlabel=true']);
    await k.ok(['annotate', 'foos', '--all', 'listannotation=true']);
    await k.ok(['annotate', 'foo/test', 'itemannotation=true']);
    await k.ok(['describe', 'foos']);
    await k.ok(['describe', 'foos/test']);
    const described = await k.ok(['describe', 'foos']);
    ifHasString(described, 'listlabel=true');
    ifHasString(described, 'itemlabel=true');
    await k.ok(['delete', 'foos', 'test', '--cascade=background']);
    await k.waitObjectAssert('foos', LIST, '');
  }, 30_000);

  it('run_non_native_resource_tests: watch, orphan delete', async () => {
    await k.ok(['create', '-f', fixture('CRD/bar.yaml')]);
    await k.getObjectAssert('bars', LIST, 'test:');
    const watcher = k.cluster.spawn([
      'get',
      'bars',
      '--request-timeout=1m',
      '--watch-only',
      '-o',
      'name',
      '-n',
      k.namespace,
    ]);
    let watchOutput = '';
    const firstLine = new Promise<string>((resolve) => {
      watcher.stdout?.on('data', (chunk: Buffer) => {
        watchOutput += chunk.toString();
        if (watchOutput.includes('\n')) resolve(watchOutput.split('\n')[0] ?? '');
      });
    });
    // keep triggering events until the watch reports one (it may not be established yet)
    let line: string | undefined;
    for (let tries = 1; tries <= 10 && line === undefined; tries++) {
      await k.ok(['patch', 'bars/test', '-p', `{"patched":"${tries}"}`, '--type=merge']);
      line = await Promise.race([
        firstLine,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 300)),
      ]);
    }
    watcher.kill('SIGKILL');
    ifHasString(line ?? '', 'bar.company.com/test');
    await k.ok(['delete', 'bars', 'test', '--cascade=orphan']);
    await k.waitObjectAssert('bars', LIST, '');
  }, 30_000);

  it('run_non_native_resource_tests: apply of single objects and of lists', async () => {
    await k.ok(['apply', '-f', fixture('CRD/foo.yaml')]);
    await k.getObjectAssert('foos', LIST, 'test:');
    await k.getObjectAssert('foos/test', '{{.someField}}', 'field1');
    await k.ok(['apply', '-f', fixture('CRD/foo.yaml')]);
    await k.getObjectAssert('foos/test', '{{.someField}}', 'field1');
    await k.getObjectAssert('foos/test', '{{.nestedField.someSubfield}}', 'subfield1');
    await k.ok(['apply', '-f', fixture('CRD/foo-updated-subfield.yaml')]);
    await k.getObjectAssert('foos/test', '{{.nestedField.someSubfield}}', 'modifiedSubfield');
    await k.getObjectAssert('foos/test', '{{.nestedField.otherSubfield}}', 'subfield2');
    await k.ok(['apply', '-f', fixture('CRD/foo-deleted-subfield.yaml')]);
    await k.getObjectAssert('foos/test', '{{.nestedField.otherSubfield}}', '<no value>');
    await k.getObjectAssert('foos/test', '{{.nestedField.newSubfield}}', '<no value>');
    await k.ok(['apply', '-f', fixture('CRD/foo-added-subfield.yaml')]);
    await k.getObjectAssert('foos/test', '{{.nestedField.newSubfield}}', 'subfield3');
    await k.ok(['delete', '-f', fixture('CRD/foo.yaml')]);
    await k.getObjectAssert('foos', LIST, '');

    await k.ok(['apply', '-f', fixture('CRD/multi-crd-list.yaml')]);
    await k.getObjectAssert('foos', LIST, 'test-list:');
    await k.getObjectAssert('bars', LIST, 'test-list:');
    await k.getObjectAssert('foos/test-list', '{{.someField}}', 'field1');
    await k.getObjectAssert('bars/test-list', '{{.someField}}', 'field1');
    await k.ok(['apply', '-f', fixture('CRD/multi-crd-list.yaml')]);
    await k.getObjectAssert('foos/test-list', '{{.someField}}', 'field1');
    await k.getObjectAssert('bars/test-list', '{{.someField}}', 'field1');
    await k.ok(['apply', '-f', fixture('CRD/multi-crd-list-updated-field.yaml')]);
    await k.getObjectAssert('foos/test-list', '{{.someField}}', 'modifiedField');
    await k.getObjectAssert('bars/test-list', '{{.someField}}', 'modifiedField');
    await k.getObjectAssert('foos/test-list', '{{.otherField}}', 'field2');
    await k.getObjectAssert('bars/test-list', '{{.otherField}}', 'field2');
    await k.ok(['apply', '-f', fixture('CRD/multi-crd-list-deleted-field.yaml')]);
    await k.getObjectAssert('foos/test-list', '{{.otherField}}', '<no value>');
    await k.getObjectAssert('bars/test-list', '{{.otherField}}', '<no value>');
    await k.getObjectAssert('foos/test-list', '{{.newField}}', '<no value>');
    await k.getObjectAssert('bars/test-list', '{{.newField}}', '<no value>');
    await k.ok(['apply', '-f', fixture('CRD/multi-crd-list-added-field.yaml')]);
    await k.getObjectAssert('foos/test-list', '{{.newField}}', 'field3');
    await k.getObjectAssert('bars/test-list', '{{.newField}}', 'field3');
    await k.ok(['delete', '-f', fixture('CRD/multi-crd-list.yaml')]);
    await k.getObjectAssert('foos', LIST, '');
    await k.getObjectAssert('bars', LIST, '');
  }, 60_000);

  it('run_non_native_resource_tests: apply --prune with custom kinds, namespace cleanup', async () => {
    await k.getObjectAssert('foos', LIST, '');
    await k.getObjectAssert('bars', LIST, '');
    const allow = ['--prune-allowlist=company.com/v1/Foo', '--prune-allowlist=company.com/v1/Bar'];
    await k.ok(['apply', '--prune', '-l', 'pruneGroup=true', '-f', fixture('CRD/foo.yaml'), ...allow]);
    await k.getObjectAssert('foos', LIST, 'test:');
    await k.getObjectAssert('bars', LIST, '');
    await k.ok(['apply', '--prune', '-l', 'pruneGroup=true', '-f', fixture('CRD/bar.yaml'), ...allow]);
    await k.waitObjectAssert('foos', LIST, '');
    await k.getObjectAssert('bars', LIST, 'test:');
    await k.ok(['delete', '-f', fixture('CRD/bar.yaml')]);
    await k.getObjectAssert('foos', LIST, '');
    await k.getObjectAssert('bars', LIST, '');

    await k.ok(['create', 'namespace', 'non-native-resources']);
    await k.ok(['create', '-f', fixture('CRD/bar.yaml'), '--namespace=non-native-resources']);
    await k.getObjectAssert('bars --namespace=non-native-resources', '{{len .items}}', '1');
    await k.ok(['delete', 'namespace', 'non-native-resources']);
    await k.waitObjectAssert('bars --namespace=non-native-resources', '{{len .items}}', '0');

    for (const name of [
      'foos.company.com',
      'bars.company.com',
      'resources.mygroup.example.com',
      'validfoos.company.com',
    ])
      await k.ok(['delete', `customresourcedefinitions/${name}`]);
  }, 30_000);
});
