// HelmChart against libs/apiserver and real peers: a chart repository made by the real `helm package`/`helm repo
// index` (plain, basic auth), Debian's docker-registry holding charts pushed by `helm push` (basic auth, TLS) and
// signed as `cosign sign --key` stores it (`spec.verify`), and a git server holding a chart directory. The real helm
// is the oracle: the version `helm pull --version` picks, and `helm template` of our artifact against `helm template`
// of what helm pulls or packages.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeChartRepo,
  makeRepo,
  startChartRepoServer,
  startGitHttpServer,
  startRegistry,
  tlsCertificate,
} from '@flux-ts/testbed';
import type { ChartRepoServer, GitHttpServer, Registry, Repo, TlsMaterial } from '@flux-ts/testbed';
import { pushChart } from '@flux-ts/helm';
import { RegistryClient, pushCosignSignature } from '@flux-ts/oci';
import { kstatusViolations } from '@flux-ts/testing';
import { startHarness } from '../gitrepository/harness.spec-helper.ts';
import type { Harness } from '../gitrepository/harness.spec-helper.ts';
import {
  cond,
  createSecret,
  createSource,
  failedWith,
  getSource,
  helmCli,
  patchSourceSpec,
  ready,
  waitEvent,
  waitSource,
} from '../helm/harness.spec-helper.ts';
import type { HelmCli, SourceObj } from '../helm/harness.spec-helper.ts';
import { helmChartReadyCondition } from './conditions.ts';

const HC = 'HelmChart';
const HR = 'HelmRepository';
const USER = 'flux';
const PASSWORD = 'Sup3r-s3cret';

const stalledWith =
  (reason: string) =>
  (o: SourceObj): boolean =>
    cond(o, 'Stalled')?.status === 'True' && cond(o, 'Ready')?.reason === reason;

describe('HelmChart', () => {
  let h: Harness;
  let helm: HelmCli;
  let repo: ChartRepoServer;
  let repoDir: string;
  let git: GitHttpServer;
  let gitRepo: Repo;
  let reg: Registry;
  let regTls: Registry;
  let cert: TlsMaterial;
  let work: string;

  const chartFiles = {
    'values-prod.yaml': 'replicaCount: 3\nextra: prod\n',
    'templates/cm.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  replicas: {{ .Values.replicaCount | quote }}\n  extra: {{ .Values.extra | default "base" | quote }}\n  chart: {{ .Chart.Version | quote }}\n',
  };

  /** `helm template` of a chart archive or directory, with a fixed release. */
  const template = (chart: string): Promise<string> => helm.run(['template', 'rel', chart, '--namespace', 'ns1']);

  /** The stored artifact of a HelmChart, written to a file. */
  async function artifactFile(o: SourceObj): Promise<string> {
    const res = await fetch(o.status?.artifact?.url ?? '');
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(o.status?.artifact?.digest);
    const file = join(work, `${o.metadata.name}-${Date.now()}.tgz`);
    await writeFile(file, bytes);
    return file;
  }

  async function helmPull(constraint: string, name = 'alpha'): Promise<string> {
    const out = join(work, `pull-${name}-${constraint.replace(/[^a-z0-9]/gi, '_')}`);
    await mkdir(out, { recursive: true });
    await helm.run(['pull', name, '--repo', repo.url, '--version', constraint, '-d', out]);
    const files = await readdir(out);
    expect(files).toHaveLength(1);
    return join(out, files[0] ?? '');
  }

  beforeAll(async () => {
    h = await startHarness();
    helm = await helmCli();
    cert = await tlsCertificate();
    work = join(h.dir, 'work');
    await mkdir(work, { recursive: true });
    repoDir = join(h.dir, 'chart-repo');
    await mkdir(repoDir, { recursive: true });
    repo = await startChartRepoServer({ dir: repoDir });
    await makeChartRepo({
      dir: repoDir,
      url: repo.url,
      charts: [
        { name: 'alpha', versions: ['0.1.0', '0.1.5', '0.2.0', '1.0.0-rc.1'], files: chartFiles },
        { name: 'lib', versions: ['2.0.0', '2.1.0'] },
        { name: 'gone', versions: ['1.0.0'] },
        { name: 'tampered', versions: ['1.0.0'] },
      ],
      helm: helm.bin,
      env: helm.env,
    });
    await rm(join(repoDir, 'gone-1.0.0.tgz'));
    // Same name, different bytes: the index digest no longer matches.
    await writeFile(join(repoDir, 'tampered-1.0.0.tgz'), await readFile(join(repoDir, 'lib-2.0.0.tgz')));
    await createSource(h.client, HR, 'charts', { url: repo.url, interval: '10m' });
    await waitSource(h.client, HR, 'charts', ready, 'repository Ready');

    // A git repository with a chart directory, a file:// dependency and a repository dependency.
    git = await startGitHttpServer({ root: join(h.dir, 'git') });
    const appChart = [
      'apiVersion: v2',
      'name: app',
      'version: 1.0.0',
      'dependencies:',
      '- name: shared',
      '  version: 0.3.0',
      '  repository: file://../shared',
      '- name: lib',
      '  version: ~2.0.0',
      `  repository: ${repo.url}`,
      '',
    ].join('\n');
    gitRepo = await makeRepo({
      root: join(h.dir, 'git'),
      name: 'charts',
      commits: [
        {
          files: {
            'charts/app/Chart.yaml': appChart,
            'charts/app/values.yaml': 'greeting: hello\n',
            'charts/app/templates/cm.yaml':
              'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-app\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
            'charts/shared/Chart.yaml': 'apiVersion: v2\nname: shared\nversion: 0.3.0\n',
            'charts/shared/values.yaml': 'who: shared\n',
            'charts/shared/templates/cm.yaml':
              'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-shared\ndata:\n  who: {{ .Values.who | quote }}\n',
            'charts/nochart/values.yaml': 'a: 1\n',
            'charts/escape/Chart.yaml':
              'apiVersion: v2\nname: escape\nversion: 0.1.0\ndependencies:\n- name: x\n  version: 1.0.0\n  repository: file://../../../../../../../../etc\n',
            'envs/prod.yaml': 'greeting: prod\n',
          },
        },
      ],
    });
    await createSource(h.client, 'GitRepository', 'charts', {
      url: `${git.url}${gitRepo.urlPath}`,
      interval: '10m',
      ref: { branch: 'main' },
    });
    await waitSource(h.client, 'GitRepository', 'charts', ready, 'git Ready');

    // OCI registries: basic auth over HTTP and anonymous over TLS, charts pushed by helm.
    reg = await startRegistry({ dir: join(h.dir, 'reg'), auth: { username: USER, password: PASSWORD } });
    regTls = await startRegistry({ dir: join(h.dir, 'reg-tls'), tls: cert });
    const caFile = join(work, 'ca.crt');
    await writeFile(caFile, cert.ca);
    await helm.run(['registry', 'login', reg.host, '-u', USER, '-p', PASSWORD, '--plain-http']);
    for (const v of ['0.1.0', '0.2.0']) {
      await helm.run(['push', join(repoDir, `alpha-${v}.tgz`), `oci://${reg.host}/charts`, '--plain-http']);
      await helm.run(['push', join(repoDir, `alpha-${v}.tgz`), `oci://${regTls.host}/charts`, '--ca-file', caFile]);
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.all([repo?.close(), git?.close(), gitRepo?.close(), reg?.close(), regTls?.close()]);
    await h?.close();
  });

  it(
    'picks the version helm pull picks, pulls it unchanged, and renders as helm does',
    { timeout: 180_000 },
    async () => {
      const cases: [string, string][] = [
        ['star', '*'],
        ['patch', '0.1.x'],
        ['below', '<0.2.0'],
        ['tilde', '~0.1.0'],
        ['pre', '>=1.0.0-0'],
      ];
      for (const [name, version] of cases) {
        await createSource(h.client, HC, `v-${name}`, {
          chart: 'alpha',
          version,
          sourceRef: { kind: HR, name: 'charts' },
          interval: '10m',
        });
      }
      const repoObj = await getSource(h.client, HR, 'charts');
      for (const [name, version] of cases) {
        const o = await waitSource(h.client, HC, `v-${name}`, ready, 'Ready');
        const pulled = await helmPull(version);
        const want = /^alpha-(.+)\.tgz$/.exec(basename(pulled))?.[1];
        expect(o.status?.artifact?.revision, version).toBe(want);
        expect(o.status?.artifact?.path).toBe(`helmchart/default/v-${name}/alpha-${want}.tgz`);
        expect(cond(o, 'Ready')).toMatchObject({
          reason: 'ChartPullSucceeded',
          message: `pulled 'alpha' chart with version '${want}'`,
        });
        expect(o.status?.observedChartName).toBe('alpha');
        expect(o.status?.observedSourceArtifactRevision).toBe(repoObj.status?.artifact?.revision);
        expect(o.status?.url).toBe(new URL(`helmchart/default/v-${name}/alpha-latest.tgz`, h.storageURL).href);
        expect(kstatusViolations(o, { negativePolarity: helmChartReadyCondition.negativePolarity })).toEqual([]);
        const ours = await artifactFile(o);
        expect(await readFile(ours)).toEqual(await readFile(pulled));
        expect(await template(ours)).toBe(await template(pulled));
      }
    },
  );

  it('a reconcile with nothing changed downloads no chart and writes nothing', { timeout: 60_000 }, async () => {
    const before = await getSource(h.client, HC, 'v-star');
    const downloads = repo.counts.get('/alpha-0.2.0.tgz') ?? 0;
    const index = repo.counts.get('/index.yaml') ?? 0;
    await h.client.patch(
      { apiVersion: before.apiVersion ?? '', kind: HC },
      { namespace: 'default', name: 'v-star' },
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'noop-1' } } },
      { type: 'merge' },
    );
    const after = await waitSource(
      h.client,
      HC,
      'v-star',
      (o) => (o.status as { lastHandledReconcileAt?: string }).lastHandledReconcileAt === 'noop-1' && ready(o),
      'handled',
    );
    expect(repo.counts.get('/alpha-0.2.0.tgz') ?? 0).toBe(downloads);
    expect(repo.counts.get('/index.yaml') ?? 0).toBe(index);
    expect(after.status?.artifact).toEqual(before.status?.artifact);
  });

  it('merges valuesFiles into the packaged chart, with +<generation> metadata', { timeout: 120_000 }, async () => {
    await createSource(h.client, HC, 'values', {
      chart: 'alpha',
      version: '0.1.0',
      sourceRef: { kind: HR, name: 'charts' },
      interval: '10m',
      valuesFiles: ['values.yaml', 'values-prod.yaml'],
    });
    const o = await waitSource(h.client, HC, 'values', ready, 'Ready');
    expect(o.status?.artifact?.revision).toBe('0.1.0+1');
    expect(cond(o, 'Ready')).toMatchObject({
      reason: 'ChartPackageSucceeded',
      message: "packaged 'alpha' chart with version '0.1.0+1' and merged values files [values.yaml values-prod.yaml]",
    });
    const ours = await template(await artifactFile(o));
    const pulled = await helmPull('0.1.0');
    const prodValues = join(work, 'values-prod-oracle.yaml');
    await writeFile(prodValues, chartFiles['values-prod.yaml']);
    const expected = await helm.run(['template', 'rel', pulled, '--namespace', 'ns1', '-f', prodValues]);
    // Only the version differs: `0.1.0+1` (labels spell it `0.1.0_1`).
    expect(ours.replaceAll('alpha-0.1.0_1', 'alpha-0.1.0').replaceAll('"0.1.0+1"', '"0.1.0"')).toBe(expected);
    expect(ours).toContain('replicas: "3"');
    expect(ours).toContain('extra: "prod"');

    await patchSourceSpec(h.client, HC, 'values', {
      valuesFiles: ['values.yaml', 'missing.yaml'],
      ignoreMissingValuesFiles: true,
    });
    const o2 = await waitSource(
      h.client,
      HC,
      'values',
      (x) => ready(x) && x.status?.artifact?.revision === '0.1.0+2',
      'gen 2',
    );
    expect(o2.status?.observedValuesFiles).toEqual(['values.yaml']);
  });

  it('a missing values file is a stalled ValuesFilesError', { timeout: 60_000 }, async () => {
    await createSource(h.client, HC, 'values-missing', {
      chart: 'alpha',
      sourceRef: { kind: HR, name: 'charts' },
      interval: '10m',
      valuesFiles: ['nope.yaml'],
    });
    const o = await waitSource(h.client, HC, 'values-missing', stalledWith('ValuesFilesError'), 'ValuesFilesError');
    expect(cond(o, 'Ready')?.message).toBe(
      "values files merge error: failed to merge chart values: no values file found at path 'nope.yaml'",
    );
    expect(cond(o, 'BuildFailed')?.status).toBe('True');
  });

  it('refuses unknown charts, unmet constraints, 404s and digest mismatches', { timeout: 120_000 }, async () => {
    const mk = (name: string, chart: string, version = '*'): Promise<SourceObj> =>
      createSource(h.client, HC, name, { chart, version, sourceRef: { kind: HR, name: 'charts' }, interval: '10m' });
    await mk('nochart', 'nonexistent');
    await mk('noversion', 'alpha', '9.x');
    await mk('notfound', 'gone');
    await mk('tampered', 'tampered');
    const a = await waitSource(h.client, HC, 'nochart', stalledWith('InvalidChartReference'), 'InvalidChartReference');
    expect(cond(a, 'Ready')?.message).toContain(
      'invalid chart reference: failed to get chart version for remote reference',
    );
    expect(cond(a, 'Ready')?.message).toContain('no chart name found');
    const b = await waitSource(
      h.client,
      HC,
      'noversion',
      stalledWith('InvalidChartReference'),
      'InvalidChartReference',
    );
    expect(cond(b, 'Ready')?.message).toBe(
      "invalid chart reference: failed to get chart version for remote reference: no 'alpha' chart with version matching '9.x' found",
    );
    const c = await waitSource(h.client, HC, 'notfound', failedWith('ChartPullError'), 'ChartPullError');
    expect(cond(c, 'Ready')?.message).toContain('chart pull error: failed to download chart for remote reference');
    expect(cond(c, 'Ready')?.message).toContain('404');
    expect(cond(c, 'FetchFailed')).toMatchObject({ status: 'True', reason: 'ChartPullError' });
    const d = await waitSource(h.client, HC, 'tampered', failedWith('ChartPullError'), 'ChartPullError');
    expect(cond(d, 'Ready')?.message).toMatch(/digest/i);
    // The others keep reconciling.
    expect(ready(await getSource(h.client, HC, 'v-star'))).toBe(true);
  });

  it('waits for a source without artifact, and builds once it has one', { timeout: 90_000 }, async () => {
    await createSource(h.client, HC, 'later', {
      chart: 'lib',
      version: '2.0.x',
      sourceRef: { kind: HR, name: 'later' },
      interval: '10m',
    });
    const w = await waitSource(h.client, HC, 'later', failedWith('SourceUnavailable'), 'SourceUnavailable');
    expect(cond(w, 'Ready')?.message).toContain('failed to get source');
    await createSource(h.client, HR, 'later', { url: repo.url, interval: '10m' });
    const o = await waitSource(h.client, HC, 'later', ready, 'Ready');
    expect(o.status?.artifact?.revision).toBe('2.0.0');
  });

  it(
    'packages a chart directory from Git with its file:// and repository dependencies',
    { timeout: 120_000 },
    async () => {
      await createSource(h.client, HC, 'git-app', {
        chart: './charts/app',
        sourceRef: { kind: 'GitRepository', name: 'charts' },
        interval: '10m',
      });
      const o = await waitSource(h.client, HC, 'git-app', ready, 'Ready');
      expect(o.status?.artifact?.revision).toBe('1.0.0');
      expect(cond(o, 'Ready')).toMatchObject({
        reason: 'ChartPackageSucceeded',
        message: "packaged 'app' chart with version '1.0.0'",
      });
      await waitEvent(h.client, HC, 'git-app', 'ResolvedDependencies', /^resolved 2 chart dependencies$/);
      await waitEvent(
        h.client,
        HC,
        'git-app',
        'ChartPackageSucceeded',
        /^packaged 'app' chart with version '1\.0\.0'$/,
      );
      const gitObj = await getSource(h.client, 'GitRepository', 'charts');
      expect(o.status?.observedSourceArtifactRevision).toBe(gitObj.status?.artifact?.revision);

      // The oracle: the same directory with `helm dependency build` and `helm package`.
      const src = join(work, 'git-src');
      await rm(src, { recursive: true, force: true });
      const { execFileSync } = await import('node:child_process');
      execFileSync('git', ['clone', '-q', join(h.dir, 'git', 'charts.git'), src]);
      await helm.run(['repo', 'add', 'local', repo.url]);
      await helm.run(['dependency', 'build', join(src, 'charts/app')]);
      const pkgDir = join(work, 'pkg');
      await mkdir(pkgDir, { recursive: true });
      await helm.run(['package', join(src, 'charts/app'), '-d', pkgDir]);
      const ours = await template(await artifactFile(o));
      expect(ours).toBe(await template(join(pkgDir, 'app-1.0.0.tgz')));
      expect(ours).toContain('rel-shared');
      expect(ours).toContain('who: "shared"');
    },
  );

  it(
    'Revision strategy versions carry the commit, valuesFiles come from the source root',
    { timeout: 90_000 },
    async () => {
      await createSource(h.client, HC, 'git-rev', {
        chart: 'charts/app',
        sourceRef: { kind: 'GitRepository', name: 'charts' },
        reconcileStrategy: 'Revision',
        valuesFiles: ['envs/prod.yaml'],
        interval: '10m',
      });
      const o = await waitSource(h.client, HC, 'git-rev', ready, 'Ready');
      const sha = gitRepo.commits[Object.keys(gitRepo.commits)[0] ?? ''] ?? (await gitRepo.revParse('main'));
      expect(o.status?.artifact?.revision).toBe(`1.0.0+${sha.slice(0, 12)}.1`);
      const out = await template(await artifactFile(o));
      expect(out).toContain('greeting: "prod"');

      // A new commit is a new artifact version at once (the index on sourceRef).
      const next = await gitRepo.commit({ files: { 'charts/app/README.md': 'new\n' } });
      await h.client.patch(
        { apiVersion: o.apiVersion ?? '', kind: 'GitRepository' },
        { namespace: 'default', name: 'charts' },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'commit-2' } } },
        { type: 'merge' },
      );
      await waitSource(
        h.client,
        HC,
        'git-rev',
        (x) => ready(x) && x.status?.artifact?.revision === `1.0.0+${next.slice(0, 12)}.1`,
        'new revision',
      );
    },
  );

  it(
    'a chart path without Chart.yaml stalls, and a file:// dependency cannot leave the source',
    { timeout: 90_000 },
    async () => {
      await createSource(h.client, HC, 'git-nochart', {
        chart: 'charts/nochart',
        sourceRef: { kind: 'GitRepository', name: 'charts' },
        interval: '10m',
      });
      await createSource(h.client, HC, 'git-escape', {
        chart: 'charts/escape',
        sourceRef: { kind: 'GitRepository', name: 'charts' },
        interval: '10m',
      });
      const a = await waitSource(
        h.client,
        HC,
        'git-nochart',
        stalledWith('InvalidChartReference'),
        'InvalidChartReference',
      );
      expect(cond(a, 'Ready')?.message).toBe(
        'invalid chart reference: open charts/nochart/Chart.yaml: no such file or directory',
      );
      const b = await waitSource(
        h.client,
        HC,
        'git-escape',
        failedWith('DependencyBuildError'),
        'DependencyBuildError',
      );
      expect(cond(b, 'Ready')?.message).toContain('dependency build error');
      expect(cond(b, 'Ready')?.message).not.toContain('root:');
    },
  );

  it(
    'pulls from an OCI registry with basic auth, and a wrong password fails without leaking it',
    { timeout: 120_000 },
    async () => {
      await createSecret(h.client, 'oci-good', { username: USER, password: PASSWORD });
      await createSecret(h.client, 'oci-bad', { username: USER, password: 'Wr0ng-p4ssword' });
      await createSource(h.client, HR, 'oci', {
        type: 'oci',
        url: `oci://${reg.host}/charts`,
        insecure: true,
        secretRef: { name: 'oci-good' },
      });
      await createSource(h.client, HR, 'oci-bad', {
        type: 'oci',
        url: `oci://${reg.host}/charts`,
        insecure: true,
        secretRef: { name: 'oci-bad' },
      });
      await createSource(h.client, HC, 'oci', {
        chart: 'alpha',
        version: '0.1.x',
        sourceRef: { kind: HR, name: 'oci' },
        interval: '10m',
      });
      await createSource(h.client, HC, 'oci-bad', {
        chart: 'alpha',
        sourceRef: { kind: HR, name: 'oci-bad' },
        interval: '10m',
      });
      const o = await waitSource(h.client, HC, 'oci', ready, 'Ready');
      expect(o.status?.artifact?.revision).toBe('0.1.0');
      expect(await readFile(await artifactFile(o))).toEqual(await readFile(join(repoDir, 'alpha-0.1.0.tgz')));
      const bad = await waitSource(
        h.client,
        HC,
        'oci-bad',
        (x) => cond(x, 'Ready')?.status === 'False' && cond(x, 'FetchFailed')?.status === 'True',
        'failed',
      );
      expect(cond(bad, 'Ready')?.message).toMatch(/401|UNAUTHORIZED|unauthorized/);
      expect(cond(bad, 'Ready')?.message).not.toContain('Wr0ng-p4ssword');
      // The OCI HelmRepository itself stays static.
      const r = await getSource(h.client, HR, 'oci');
      expect(r.status?.conditions ?? []).toEqual([]);
    },
  );

  it('pulls from an OCI registry over TLS with the CA of certSecretRef', { timeout: 90_000 }, async () => {
    await createSecret(h.client, 'oci-ca', { 'ca.crt': cert.ca });
    await createSource(h.client, HR, 'oci-tls', {
      type: 'oci',
      url: `oci://${regTls.host}/charts`,
      certSecretRef: { name: 'oci-ca' },
    });
    await createSource(h.client, HC, 'oci-tls', {
      chart: 'alpha',
      sourceRef: { kind: HR, name: 'oci-tls' },
      interval: '10m',
    });
    const o = await waitSource(h.client, HC, 'oci-tls', ready, 'Ready');
    expect(o.status?.artifact?.revision).toBe('0.2.0');
    expect(await template(await artifactFile(o))).toBe(await template(join(repoDir, 'alpha-0.2.0.tgz')));
  });

  it('packages a chart from a Bucket artifact', { timeout: 90_000 }, async () => {
    // No Bucket controller runs here: the test stores a tarball and records it as the Bucket's artifact.
    const src = join(work, 'bucket-src');
    await mkdir(join(src, 'app/templates'), { recursive: true });
    await writeFile(join(src, 'app/Chart.yaml'), 'apiVersion: v2\nname: bucketed\nversion: 0.4.0\n');
    await writeFile(join(src, 'app/values.yaml'), 'x: 1\n');
    await writeFile(
      join(src, 'app/templates/cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: {{ .Values.x | quote }}\n',
    );
    const storage = h.controller.storage;
    const revision = `sha256:${'ab12'.repeat(16)}`;
    const stored = await storage.archive(
      storage.artifactFor('Bucket', 'default', 'bucket', revision, `${'ab12'.repeat(16)}.tar.gz`),
      src,
    );
    const bucket = await createSource(h.client, 'Bucket', 'bucket', {
      bucketName: 'charts',
      endpoint: '127.0.0.1:1',
      interval: '10m',
    });
    await h.client.patch(
      { apiVersion: bucket.apiVersion ?? '', kind: 'Bucket' },
      { namespace: 'default', name: 'bucket' },
      { status: { artifact: stored } },
      { type: 'merge', subresource: 'status' },
    );
    await createSource(h.client, HC, 'from-bucket', {
      chart: 'app',
      sourceRef: { kind: 'Bucket', name: 'bucket' },
      reconcileStrategy: 'Revision',
      interval: '10m',
    });
    const o = await waitSource(h.client, HC, 'from-bucket', ready, 'Ready');
    expect(o.status?.artifact?.revision).toBe(`0.4.0+${'ab12'.repeat(3)}`);
    expect(o.status?.observedSourceArtifactRevision).toBe(revision);
    expect(await template(await artifactFile(o))).toContain('x: "1"');
  });

  it(
    'spec.verify: a cosign-signed OCI chart verifies; a wrong key, a tampered signature, keyless and HTTP fail',
    { timeout: 120_000 },
    async () => {
      const push = new RegistryClient({ insecure: true, credentials: { username: USER, password: PASSWORD } });
      const signal = AbortSignal.timeout(30_000);
      const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = (k: KeyObject): string => k.export({ type: 'spki', format: 'pem' }) as string;
      // the charts as `helm push` stores them, in a repository of their own
      const pushed: Record<string, string> = {};
      for (const v of ['0.1.0', '0.2.0']) {
        const tgz = await readFile(join(repoDir, `alpha-${v}.tgz`));
        pushed[v] = (await pushChart(push, `oci://${reg.host}/signed`, tgz, signal)).digest;
      }
      const signChart = async (version: string, opts: { signature?: string } = {}): Promise<void> => {
        const ref = { registry: reg.host, repository: 'signed/alpha', digest: pushed[version] ?? '' };
        await pushCosignSignature(push, ref, signer.privateKey, { signal, ...opts });
      };
      await signChart('0.1.0');
      // a signature over other bytes, attached to 0.2.0
      await signChart('0.2.0', {
        signature: sign('sha256', Buffer.from('other'), signer.privateKey).toString('base64'),
      });
      await createSecret(h.client, 'cosign-keys', { 'cosign.pub': pem(signer.publicKey), README: 'not a key' });
      await createSecret(h.client, 'cosign-other', { 'cosign.pub': pem(other.publicKey) });
      await createSecret(h.client, 'oci-verify-auth', { username: USER, password: PASSWORD });
      await createSource(h.client, HR, 'oci-verify', {
        type: 'oci',
        url: `oci://${reg.host}/signed`,
        insecure: true,
        secretRef: { name: 'oci-verify-auth' },
      });
      const chart = (name: string, spec: Record<string, unknown>): Promise<unknown> =>
        createSource(h.client, HC, name, {
          chart: 'alpha',
          sourceRef: { kind: HR, name: 'oci-verify' },
          interval: '10m',
          ...spec,
        });
      const keyed = (secret: string): Record<string, unknown> => ({ provider: 'cosign', secretRef: { name: secret } });
      await chart('sig-valid', { version: '0.1.0', verify: keyed('cosign-keys') });
      await chart('sig-wrong-key', { version: '0.1.0', verify: keyed('cosign-other') });
      await chart('sig-tampered', { version: '0.2.0', verify: keyed('cosign-keys') });
      await chart('sig-keyless', { version: '0.1.0', verify: { provider: 'cosign' } });
      await chart('sig-notation', {
        version: '0.1.0',
        verify: { provider: 'notation', secretRef: { name: 'cosign-keys' } },
      });
      await chart('sig-http', { sourceRef: { kind: HR, name: 'charts' }, verify: keyed('cosign-keys') });

      const o = await waitSource(h.client, HC, 'sig-valid', ready, 'Ready');
      expect(cond(o, 'SourceVerified')).toMatchObject({
        status: 'True',
        reason: 'Succeeded',
        message: 'verified signature of version 0.1.0',
      });
      expect(o.status?.artifact?.revision).toBe('0.1.0');
      expect(await readFile(await artifactFile(o))).toEqual(await readFile(join(repoDir, 'alpha-0.1.0.tgz')));

      const failed = failedWith('ChartVerificationError');
      for (const [name, version] of [
        ['sig-wrong-key', '0.1.0'],
        ['sig-tampered', '0.2.0'],
      ] as const) {
        const bad = await waitSource(h.client, HC, name, failed, `${name} ChartVerificationError`);
        const message = `chart verification error: failed to verify oci://${reg.host}/signed/alpha:${version}: no matching signatures:\ninvalid signature when validating ASN.1 encoded signature`;
        expect(cond(bad, 'SourceVerified')).toMatchObject({ status: 'False', reason: 'VerificationError', message });
        expect(cond(bad, 'BuildFailed')).toMatchObject({ status: 'True', reason: 'ChartVerificationError', message });
        expect(cond(bad, 'Stalled')).toBeUndefined();
        expect(bad.status?.artifact).toBeUndefined();
      }

      const keyless = await waitSource(
        h.client,
        HC,
        'sig-keyless',
        stalledWith('VerificationError'),
        'keyless stalled',
      );
      expect(cond(keyless, 'SourceVerified')).toMatchObject({
        status: 'False',
        reason: 'VerificationError',
        message:
          "failed to verify the signature using provider 'cosign keyless': keyless verification (matchOIDCIdentity) is not supported by this build: it has no Fulcio and Rekor trust roots",
      });
      expect(keyless.status?.artifact).toBeUndefined();
      const notation = await waitSource(h.client, HC, 'sig-notation', stalledWith('VerificationError'), 'notation');
      expect(cond(notation, 'SourceVerified')?.message).toBe(
        "failed to verify the signature using provider 'notation': notation verification is not supported by this build (no Notary Project verifier for Node.js)",
      );

      // upstream's HTTP chart repository cannot verify: VerifyChart answers "not implemented"
      const http = await waitSource(h.client, HC, 'sig-http', failed, 'http ChartVerificationError');
      expect(cond(http, 'SourceVerified')).toMatchObject({
        status: 'False',
        message: 'chart verification error: not implemented',
      });
      expect(http.status?.artifact).toBeUndefined();

      // the tag moves to an unsigned manifest: the next reconcile refuses it and keeps the verified artifact
      const tgz = await readFile(join(repoDir, 'alpha-0.1.0.tgz'));
      const moved = await pushChart(push, `oci://${reg.host}/signed`, tgz, signal, { created: '2001-01-01T00:00:00Z' });
      expect(moved.digest).not.toBe(pushed['0.1.0']);
      await h.client.patch(
        { apiVersion: o.apiVersion ?? '', kind: HC },
        { namespace: 'default', name: 'sig-valid' },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'moved-tag' } } },
        { type: 'merge' },
      );
      const refused = await waitSource(h.client, HC, 'sig-valid', failed, 'moved tag refused');
      expect(cond(refused, 'SourceVerified')?.message).toBe(
        `chart verification error: failed to verify oci://${reg.host}/signed/alpha:0.1.0: no signatures found`,
      );
      expect(refused.status?.artifact).toEqual(o.status?.artifact);
    },
  );
});
