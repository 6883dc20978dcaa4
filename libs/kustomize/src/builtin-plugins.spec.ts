import { describe, expect, it } from 'vitest';
import { configureGenerator, configureTransformer } from './builtin-plugins.ts';
import { defaultFs, Loader } from './loader.ts';
import { newResource, type KObject } from './resource.ts';

const h = { ldr: new Loader('/tmp/some-kustomization', defaultFs(), 'rootOnly') };
const cfg = (kind: string, rest: KObject = {}, apiVersion = 'builtin'): KObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x' },
  ...rest,
});
const deployment = (): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    template: { spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'D', value: '/etc/cfg' }] }] } },
  },
});

describe('builtin plugins', () => {
  it('refuses plugins whose apiVersion is not builtin, as kustomize with external plugins disabled', () => {
    expect(() => configureTransformer(cfg('LabelTransformer', {}, 'example.com/v1'), h)).toThrow(
      "external plugins disabled; unable to load external plugin 'LabelTransformer'",
    );
  });

  it('names unknown builtin kinds, generator/transformer mix-ups and helm like kustomize', () => {
    expect(() => configureTransformer(cfg('SortOrderTransformer'), h)).toThrow(
      'unable to load builtin SortOrderTransformer.builtin.[noGrp]',
    );
    expect(() => configureTransformer(cfg('ConfigMapGenerator'), h)).toThrow(
      'plugin ConfigMapGenerator.builtin.[noGrp]/x.[noNs] not a transformer',
    );
    expect(() => configureGenerator(cfg('LabelTransformer'), h)).toThrow('not a generator');
    expect(() => configureGenerator(cfg('HelmChartInflationGenerator'), h)).toThrow(
      'plugin HelmChartInflationGenerator.builtin.[noGrp]/x.[noNs] fails configuration: must specify --enable-helm',
    );
  });

  it('applies only its own field specs (LabelTransformer)', () => {
    const r = newResource(deployment());
    configureTransformer(
      cfg('LabelTransformer', {
        labels: { a: 'b' },
        fieldSpecs: [{ path: 'spec/template/metadata/labels', kind: 'Deployment', create: true }],
      }),
      h,
    ).transform([r]);
    expect(r.obj['metadata']).toEqual({ name: 'web' });
    expect((r.obj['spec'] as KObject)['template']).toMatchObject({ metadata: { labels: { a: 'b' } } });
  });

  it('inserts the value into a file path (ValueAddTransformer filePathPosition)', () => {
    const r = newResource(deployment());
    configureTransformer(
      cfg('ValueAddTransformer', {
        value: 'roses',
        targets: [{ fieldPath: 'spec/template/spec/containers/0/env/0/value', filePathPosition: 2 }],
      }),
      h,
    ).transform([r]);
    expect(JSON.stringify(r.obj)).toContain('"value":"/etc/roses/cfg"');
  });

  it('generates the GKE service account of an IAMPolicyGenerator', () => {
    const [sa] = configureGenerator(
      cfg('IAMPolicyGenerator', {
        cloud: 'gke',
        kubernetesService: { name: 'ksa', namespace: 'ns' },
        serviceAccount: { name: 'gsa', projectId: 'p' },
      }),
      h,
    ).generate();
    expect(sa?.obj).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        annotations: { 'iam.gke.io/gcp-service-account': 'gsa@p.iam.gserviceaccount.com' },
        name: 'ksa',
        namespace: 'ns',
      },
    });
  });
});
