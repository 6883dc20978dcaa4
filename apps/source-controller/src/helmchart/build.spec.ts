import { describe, expect, it } from 'vitest';
import { Chart } from '@flux-ts/helm';
import {
  BuildError,
  BuildReasons,
  buildRemote,
  buildSummary,
  isPersistentBuildError,
  mergeChartValues,
  overwriteChartDefaultValues,
  secureRel,
  withVersionMetadata,
} from './build.ts';
import type { BuildOptions, RemoteChartSource } from './build.ts';
import { revisionMetadata } from './reconciler.ts';

function chart(values: string, files: Record<string, string> = {}): Chart {
  const c = new Chart({ apiVersion: 'v2', name: 'c', version: '1.0.0' } as Chart['metadata']);
  c.raw = [{ name: 'values.yaml', data: Buffer.from(values) }];
  c.files = Object.entries(files).map(([name, d]) => ({ name, data: Buffer.from(d) }));
  c.values = values.includes('a: 1') ? { a: 1, nested: { x: 'base', y: 'base' } } : {};
  return c;
}

describe('chart builds', () => {
  it('sets semver build metadata as Masterminds does', () => {
    expect(withVersionMetadata('1.2.3', '4')).toBe('1.2.3+4');
    expect(withVersionMetadata('1.2.3+old', 'abc123def456.2')).toBe('1.2.3+abc123def456.2');
    expect(withVersionMetadata('v1.2', '7')).toBe('1.2.0+7');
    expect(() => withVersionMetadata('1.2.3', 'a_b')).toThrow('Invalid Metadata string');
    expect(() => withVersionMetadata('nope', '1')).toThrow();
  });

  it('summarizes builds as upstream', () => {
    const b = { name: 'podinfo', version: '6.5.4', packaged: false, valuesFiles: [] };
    expect(buildSummary(b)).toBe("new 'podinfo' chart with version '6.5.4'");
    expect(buildSummary({ ...b, done: true })).toBe("pulled 'podinfo' chart with version '6.5.4'");
    expect(buildSummary({ ...b, done: true, packaged: true, valuesFiles: ['a.yaml', 'b.yaml'] })).toBe(
      "packaged 'podinfo' chart with version '6.5.4' and merged values files [a.yaml b.yaml]",
    );
    expect(buildSummary({ ...b, name: '' })).toBe('no chart build');
  });

  it('knows which build errors only a spec change fixes', () => {
    expect(isPersistentBuildError(BuildReasons.ChartReference)).toBe(true);
    expect(isPersistentBuildError(BuildReasons.ValuesFilesMerge)).toBe(true);
    expect(isPersistentBuildError(BuildReasons.ChartPull)).toBe(false);
    expect(new BuildError(BuildReasons.ChartPull, new Error('boom')).message).toBe('chart pull error: boom');
  });

  it('merges values files of a chart in order, values.yaml by name', () => {
    const c = chart('a: 1\nnested:\n  x: base\n  y: base\n', {
      'prod.yaml': 'nested:\n  x: prod\nb: 2\n',
      'bad.yaml': 'a: [',
    });
    const m = mergeChartValues(c, ['values.yaml', './prod.yaml'], false);
    expect(m.files).toEqual(['values.yaml', './prod.yaml']);
    expect(m.values).toMatchObject({ a: 1, nested: { x: 'prod', y: 'base' } });
    expect(String(m.values['b'])).toBe('2'); // a json.Number, as Helm reads values
    expect(() => mergeChartValues(c, ['missing.yaml'], false)).toThrow("no values file found at path 'missing.yaml'");
    expect(mergeChartValues(c, ['missing.yaml'], true).files).toEqual([]);
    expect(() => mergeChartValues(c, ['bad.yaml'], false)).toThrow("unmarshaling values from 'bad.yaml' failed");
  });

  it('overwrites values.yaml with the merged values (sorted keys), and only when they differ', () => {
    const c = chart('z: 1\n');
    expect(overwriteChartDefaultValues(c, undefined)).toBe(false);
    expect(overwriteChartDefaultValues(c, { b: 1, a: { d: 'x', c: true } })).toBe(true);
    expect(c.raw[0]?.data.toString()).toBe('a:\n  c: true\n  d: x\nb: 1\n');
    expect(overwriteChartDefaultValues(c, { b: 1, a: { d: 'x', c: true } })).toBe(false);
    expect(overwriteChartDefaultValues(c, {})).toBe(true);
    expect(c.raw[0]?.data.toString()).toBe('');
    const none = chart('');
    none.raw = [];
    expect(() => overwriteChartDefaultValues(none, { a: 1 })).toThrow('failed to locate values file: values.yaml');
  });

  it('clamps paths at the source root', () => {
    expect(secureRel('../../etc/passwd')).toBe('etc/passwd');
    expect(secureRel('./charts/app/')).toBe('charts/app/');
    expect(secureRel('/abs/x')).toBe('abs/x');
  });

  it('takes the Revision-strategy metadata from the source revision', () => {
    expect(revisionMetadata('GitRepository', 'main@sha1:0123456789abcdef0123')).toBe('0123456789ab');
    expect(revisionMetadata('GitRepository', 'sha1:0123456789abcdef0123')).toBe('0123456789ab');
    expect(revisionMetadata('Bucket', `sha256:${'f'.repeat(64)}`)).toBe('ffffffffffff');
  });

  it('verifies before any download, pins what it verified, and HTTP repositories cannot verify', async () => {
    const downloads: string[] = [];
    const remote = (verifyChart?: RemoteChartSource['verifyChart']): RemoteChartSource => ({
      oci: true,
      getChartVersion: (name, version) => Promise.resolve({ name, version, urls: [`oci://r/c/${name}:${version}`] }),
      downloadChart: (cv) => {
        downloads.push(cv.urls[0] ?? '');
        return Promise.reject(new Error('stop after the download'));
      },
      ...(verifyChart ? { verifyChart } : {}),
    });
    const opts: BuildOptions = {
      valuesFiles: [],
      ignoreMissingValuesFiles: false,
      force: false,
      versionMetadata: '',
      maxChartSize: 1024,
      signal: AbortSignal.timeout(5_000),
      verify: true,
    };
    const ref = { name: 'app', version: '1.0.0' };
    const failing = buildRemote(
      remote(() => Promise.reject(new Error('no signatures found'))),
      ref,
      opts,
    );
    await expect(failing).rejects.toMatchObject({
      reason: BuildReasons.ChartVerification,
      message: 'chart verification error: no signatures found',
    });
    await expect(buildRemote(remote(), ref, opts)).rejects.toMatchObject({
      reason: BuildReasons.ChartVerification,
      message: 'chart verification error: not implemented',
    });
    expect(downloads).toEqual([]);
    const pin: RemoteChartSource['verifyChart'] = (cv) => {
      cv.urls = [`${cv.urls[0] ?? ''}@sha256:${'a'.repeat(64)}`];
      return Promise.resolve();
    };
    await expect(buildRemote(remote(pin), ref, opts)).rejects.toMatchObject({ reason: BuildReasons.ChartPull });
    expect(downloads).toEqual([`oci://r/c/app:1.0.0@sha256:${'a'.repeat(64)}`]);
  });
});
