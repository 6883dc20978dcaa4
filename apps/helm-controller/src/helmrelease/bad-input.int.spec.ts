import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CHART, cond, hcGVK, startHrHarness, until } from './harness.spec-helper.ts';
import type { Cond, HrHarness } from './harness.spec-helper.ts';

const NS = 'team';
const chartRef = { kind: 'HelmChart', name: 'shared', namespace: 'flux-system' };

describe('HelmRelease bad input: a precise Ready=False and no crash', () => {
  let h: HrHarness;
  beforeAll(async () => {
    h = await startHrHarness([NS]);
    await h.serveChart('flux-system', 'shared', WEB_CHART, true);
    const configMap = (name: string, data: Record<string, string>) =>
      h.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data } as never);
    await configMap('not-yaml', { 'values.yaml': 'message: [unclosed\n' });
    await configMap('base', { 'values.yaml': 'message: from-configmap\nreplicas: 2\n', tag: '1.2.3' });
  }, 120_000);
  afterAll(async () => h?.close(), 60_000);

  const readyFalse = (name: string, reason: string): Promise<Cond> =>
    until(`${NS}/${name} Ready=False/${reason}`, async () => {
      const r = cond(await h.getHr(NS, name), 'Ready');
      return r?.status === 'False' && r.reason === reason ? r : undefined;
    });
  const noRelease = async (name: string): Promise<void> => {
    const list = JSON.parse(await h.helm(['list', '-a', '-n', NS, '-o', 'json'])) as { name: string }[];
    expect(list.map((r) => r.name)).not.toContain(name);
  };

  it('values that are not YAML in a valuesFrom ConfigMap: ValuesError', { timeout: 60_000 }, async () => {
    await h.createHr(NS, 'bad-yaml', { chartRef, valuesFrom: [{ kind: 'ConfigMap', name: 'not-yaml' }] });
    const ready = await readyFalse('bad-yaml', 'ValuesError');
    expect(ready.message).toBe(
      "could not resolve ConfigMap chart values reference 'team/not-yaml' with key 'values.yaml': failed to read values data: error converting YAML to JSON: yaml: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
    await noRelease('bad-yaml');
  });

  it('a missing valuesFrom Secret that is not optional: ValuesError', { timeout: 60_000 }, async () => {
    await h.createHr(NS, 'no-secret', { chartRef, valuesFrom: [{ kind: 'Secret', name: 'missing' }] });
    const ready = await readyFalse('no-secret', 'ValuesError');
    expect(ready.message).toBe(
      `could not resolve Secret chart values reference 'team/missing' with key 'values.yaml': resource not found: secrets "missing" not found`,
    );
    await noRelease('no-secret');
  });

  it(
    'an optional missing Secret is skipped; valuesFrom, targetPath and inline values merge in order',
    { timeout: 60_000 },
    async () => {
      await h.createHr(NS, 'composed', {
        chartRef,
        valuesFrom: [
          { kind: 'ConfigMap', name: 'base' },
          { kind: 'Secret', name: 'missing', optional: true },
          { kind: 'ConfigMap', name: 'base', valuesKey: 'tag', targetPath: 'image.tag' },
        ],
        values: { message: 'inline' },
      });
      await until('composed Ready', async () => cond(await h.getHr(NS, 'composed'), 'Ready')?.status === 'True');
      expect(JSON.parse(await h.helm(['get', 'values', 'composed', '-n', NS, '-o', 'json']))).toEqual({
        message: 'inline',
        replicas: 2,
        image: { tag: '1.2.3' },
      });
    },
  );

  it('a chart that fails to render: InstallFailed, no release written', { timeout: 60_000 }, async () => {
    await h.createHr(NS, 'broken', { chartRef, values: { fail: true } });
    const ready = await readyFalse('broken', 'InstallFailed');
    expect(ready.message).toBe(
      'Helm install failed for release team/broken with chart web@1.0.0: execution error at (web/templates/fail.yaml:1:25): the chart refuses to render',
    );
    const hr = await h.getHr(NS, 'broken');
    expect(cond(hr, 'Released')).toMatchObject({ status: 'False', reason: 'InstallFailed', message: ready.message });
    expect(hr.status?.installFailures).toBeUndefined();
    expect(hr.status?.failures).toBeGreaterThanOrEqual(1);
    await noRelease('broken');
  });

  it('a chart artifact whose digest does not match: ArtifactFailed', { timeout: 60_000 }, async () => {
    await h.serveChart('flux-system', 'tampered', WEB_CHART, true);
    const wrong = `sha256:${'0'.repeat(64)}`;
    await h.client.patch(
      hcGVK,
      { namespace: 'flux-system', name: 'tampered' },
      { status: { artifact: { digest: wrong } } },
      { type: 'merge', subresource: 'status' },
    );
    await h.createHr(NS, 'tampered', { chartRef: { ...chartRef, name: 'tampered' } });
    const ready = await readyFalse('tampered', 'ArtifactFailed');
    expect(ready.message).toBe(
      `Could not load chart: failed to verify artifact: computed digest doesn't match '${wrong}'`,
    );
    await noRelease('tampered');
  });

  it('a dependency that does not exist: DependencyNotReady', { timeout: 60_000 }, async () => {
    await h.createHr(NS, 'dependent', { chartRef, dependsOn: [{ name: 'absent' }] });
    const ready = await readyFalse('dependent', 'DependencyNotReady');
    expect(ready.message).toContain("'team/absent'");
    await noRelease('dependent');
  });
});
