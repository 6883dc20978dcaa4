import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { isSettled, markBlocked, markUnreconciled, pinSelfReferences } from './validate.ts';
import type { FleetRow } from './validate.ts';
import type { StatusRow } from './status.ts';

const row = (name: string, ready: string, reason: string): StatusRow => ({
  kind: 'Kustomization',
  namespace: 'flux-system',
  name,
  ready,
  reason,
  message: '',
  revision: '',
  suspended: false,
});

describe('markUnreconciled', () => {
  it('fails objects of kinds no controller reconciles, and leaves the rest alone', () => {
    const hr = { ...row('podinfo', 'Unknown', ''), kind: 'HelmRelease' };
    const ks = row('apps', 'Unknown', '');
    const [a, b] = markUnreconciled([hr, ks], new Set(['Kustomization']));
    expect(a).toMatchObject({ ready: 'False', reason: 'ControllerNotAvailable' });
    expect(a!.message).toBe('flux-ts does not reconcile HelmRelease yet; this object was not validated');
    expect(b).toEqual(ks);
    // A status written by someone (a controller that does exist elsewhere) is kept.
    const reported = { ...row('x', 'True', 'InstallSucceeded'), kind: 'HelmRelease' };
    expect(markUnreconciled([reported], new Set())).toEqual([reported]);
  });

  it('waits for HelmRepositories and HelmCharts by default: source-controller reconciles them', () => {
    const rows = ['HelmRepository', 'HelmChart', 'GitRepository'].map((kind) => ({ ...row('x', 'Unknown', ''), kind }));
    expect(markUnreconciled(rows)).toEqual(rows);
    expect(markUnreconciled([{ ...row('x', 'Unknown', ''), kind: 'Alert' }])[0]?.reason).toBe('ControllerNotAvailable');
  });
});

describe('isSettled', () => {
  it('waits for three identical polls in which every object has a verdict', () => {
    const done = [row('a', 'True', 'ReconciliationSucceeded'), row('b', 'False', 'BuildFailed')];
    expect(isSettled([done, done])).toBe(false);
    expect(isSettled([done, done, done])).toBe(true);
    const moving = [row('a', 'Unknown', 'Progressing')];
    expect(isSettled([moving, moving, moving])).toBe(false);
    expect(isSettled([done, [...done, row('c', 'Unknown', '')], [...done, row('c', 'Unknown', '')]])).toBe(false);
  });

  it('counts a dependency wait as final once nothing else moves', () => {
    const rows = [row('a', 'False', 'BuildFailed'), row('b', 'False', 'DependencyNotReady')];
    expect(isSettled([rows, rows, rows])).toBe(true);
    expect(isSettled([[], [], []])).toBe(false);
  });
});

describe('markBlocked', () => {
  const obj = (
    kind: string,
    ns: string,
    name: string,
    ready: string,
    reason: string,
    appliedBy?: string,
  ): FleetRow => ({
    ...row(name, ready, reason),
    kind,
    namespace: ns,
    ...(appliedBy ? { appliedBy } : {}),
  });

  it('blocks a Kustomization in progress whose applied HelmRelease failed, and lets the run settle', () => {
    const ks = { ...obj('Kustomization', 'flux-system', 'infra', 'Unknown', 'Progressing'), message: 'in progress' };
    const hr = obj('HelmRelease', 'cert-manager', 'cert-manager', 'False', 'SourceNotReady', 'flux-system/infra');
    const ns = obj('Namespace', '', 'cert-manager', 'True', '', 'flux-system/infra');
    const rows = markBlocked([ks, hr, ns]);
    expect(rows[0]).toMatchObject({
      ready: 'Unknown',
      reason: 'Progressing',
      blockedBy: ['HelmRelease/cert-manager/cert-manager'],
    });
    expect(rows[0]!.message).toBe(
      'in progress; blocked: it waits on HelmRelease/cert-manager/cert-manager (SourceNotReady), which will not become Ready; its health check ends with HealthCheckFailed at spec.timeout',
    );
    expect(isSettled([rows, rows, rows])).toBe(true);
    // The input is left alone.
    expect(ks.blockedBy).toBeUndefined();
  });

  it('leaves a Kustomization whose applied objects are only in progress, Ready, or applied by another', () => {
    const ks = obj('Kustomization', 'flux-system', 'infra', 'Unknown', 'Progressing');
    const rows = markBlocked([
      ks,
      obj('HelmRelease', 'a', 'a', 'Unknown', 'Progressing', 'flux-system/infra'),
      obj('HelmRelease', 'b', 'b', 'True', 'InstallSucceeded', 'flux-system/infra'),
      obj('HelmRelease', 'c', 'c', 'False', 'InstallFailed', 'flux-system/other'),
    ]);
    expect(rows[0]).toEqual(ks);
    expect(isSettled([rows, rows, rows])).toBe(false);
    // A Kustomization that already failed keeps its own verdict.
    const failed = obj('Kustomization', 'flux-system', 'infra', 'False', 'HealthCheckFailed');
    expect(
      markBlocked([failed, obj('HelmRelease', 'c', 'c', 'False', 'InstallFailed', 'flux-system/infra')])[0],
    ).toEqual(failed);
  });

  it('finds a Kustomization blocked by a nested one that is blocked', () => {
    const rows = markBlocked([
      obj('Kustomization', 'flux-system', 'outer', 'Unknown', 'Progressing'),
      obj('Kustomization', 'flux-system', 'inner', 'Unknown', 'Progressing', 'flux-system/outer'),
      obj('OCIRepository', 'x', 'chart', 'False', 'ReadOperationFailed', 'flux-system/inner'),
    ]);
    expect(rows[1]?.blockedBy).toEqual(['OCIRepository/x/chart']);
    expect(rows[0]?.blockedBy).toEqual(['Kustomization/flux-system/inner']);
    expect(rows[0]?.message).toContain('Kustomization/flux-system/inner (blocked)');
  });
});

describe('pinSelfReferences', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('points the fleet’s own GitRepositories at the local copy and leaves others alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pin-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'clusters/prod/flux-system'), { recursive: true });
    const sync = join(dir, 'clusters/prod/flux-system/gotk-sync.yaml');
    writeFileSync(
      sync,
      [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: GitRepository',
        'metadata: {name: flux-system, namespace: flux-system}',
        'spec: {url: ssh://git@github.com/acme/fleet, ref: {branch: prod}, secretRef: {name: flux-system}}',
        '---',
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: GitRepository',
        'metadata: {name: mirror, namespace: apps}',
        'spec: {url: "https://github.com/acme/fleet.git", ref: {tag: v1}}',
        '---',
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: GitRepository',
        'metadata: {name: other, namespace: apps}',
        'spec: {url: https://github.com/acme/other}',
        '',
      ].join('\n'),
    );
    const untouched = join(dir, 'clusters/prod/app.yaml');
    writeFileSync(untouched, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const changed = pinSelfReferences(dir, ['git@github.com:acme/fleet.git'], 'http://127.0.0.1:1/fleet.git');
    expect(changed).toEqual([sync]);
    const docs = parseAllDocuments(readFileSync(sync, 'utf8')).map(
      (d) => d.toJS() as { spec: Record<string, unknown> },
    );
    expect(docs[0]!.spec).toEqual({ url: 'http://127.0.0.1:1/fleet.git', ref: { branch: 'main' } });
    expect(docs[1]!.spec).toEqual({ url: 'http://127.0.0.1:1/fleet.git', ref: { branch: 'main' } });
    expect(docs[2]!.spec).toEqual({ url: 'https://github.com/acme/other' });
  });
});
