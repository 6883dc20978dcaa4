// `npm start -- validate` on Flux's flagship example, fluxcd/flux2-kustomize-helm-example (issue 28): its
// ArtifactGenerator splits the monorepo into two ExternalArtifacts that the Kustomizations consume. The charts come
// from OCI registries on the internet (quay.io, docker.io), which this machine cannot reach: the run stops at the
// OCIRepository → HelmRelease stage, and everything before it must be Ready.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import { captured } from './cli.spec-helper.ts';
import type { FleetRow } from './validate.ts';

const workspace = join(import.meta.dirname, '..', '..', '..');
const fixture = join(import.meta.dirname, '..', 'fixtures', 'flux2-kustomize-helm-example');

interface Report {
  ready: boolean;
  timedOut: boolean;
  objects: FleetRow[];
}

async function validate(cluster: string): Promise<{ code: number; report: Report; err: string }> {
  const c = captured();
  const code = await main({
    argv: ['validate', '--repo', fixture, '--path', `clusters/${cluster}`, '--timeout', '3m', '--output', 'json'],
    workspace,
    cwd: fixture,
    io: c.io,
    signal: new AbortController().signal,
  });
  return { code, report: JSON.parse(c.out()) as Report, err: c.err() };
}

const key = (o: FleetRow): string => `${o.kind}/${o.namespace}/${o.name}`;

/** The verdict of every object, the same on both clusters. */
const VERDICTS = {
  'GitRepository/flux-system/flux-system': 'True Succeeded',
  'ArtifactGenerator/flux-system/flux-system': 'True Succeeded',
  'ExternalArtifact/flux-system/infrastructure': 'True Succeeded',
  'ExternalArtifact/flux-system/apps': 'True Succeeded',
  'Kustomization/flux-system/flux-system': 'True ReconciliationSucceeded',
  // Applied from the infrastructure ExternalArtifact; `wait: true` on HelmReleases that cannot get their charts.
  'Kustomization/flux-system/infra-controllers': 'Unknown Progressing',
  'OCIRepository/cert-manager/cert-manager': 'False ReadOperationFailed',
  'OCIRepository/envoy-gateway-system/gateway-helm': 'False ReadOperationFailed',
  'HelmRelease/cert-manager/cert-manager': 'False SourceNotReady',
  'HelmRelease/envoy-gateway-system/envoy-gateway': 'False SourceNotReady',
  'Kustomization/flux-system/infra-configs': 'False DependencyNotReady',
  'Kustomization/flux-system/apps': 'False DependencyNotReady',
};

describe('validate on fluxcd/flux2-kustomize-helm-example', () => {
  const runs: Record<string, Awaited<ReturnType<typeof validate>>> = {};
  beforeAll(async () => {
    // One after the other: each run starts its own cluster and six controllers.
    runs['staging'] = await validate('staging');
    runs['production'] = await validate('production');
  }, 420_000);

  for (const cluster of ['staging', 'production']) {
    it(`${cluster}: every object has its verdict, and the run settles before its timeout (exit 1)`, () => {
      const { code, report, err } = runs[cluster]!;
      expect(err).toBe('');
      expect(report).toMatchObject({ ready: false, timedOut: false });
      expect(Object.fromEntries(report.objects.map((o) => [key(o), `${o.ready} ${o.reason}`]))).toEqual(VERDICTS);
      expect(code).toBe(1);
    });

    it(`${cluster}: the artifacts are Ready, with Flux's revisions and origin`, () => {
      const byKey = new Map(runs[cluster]!.report.objects.map((o) => [key(o), o]));
      expect(byKey.get('GitRepository/flux-system/flux-system')?.revision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
      expect(byKey.get('ArtifactGenerator/flux-system/flux-system')?.message).toBe(
        'reconciliation succeeded, generated 2 artifact(s)',
      );
      for (const name of ['infrastructure', 'apps']) {
        const ea = byKey.get(`ExternalArtifact/flux-system/${name}`);
        expect(ea?.revision).toMatch(/^latest@sha256:[0-9a-f]{64}$/);
        expect(ea?.message).toBe('Artifact is ready');
      }
      // What infra-controllers applied came from the infrastructure artifact.
      for (const k of Object.keys(VERDICTS).filter((k) => /^(OCIRepository|HelmRelease)\//.test(k)))
        expect(byKey.get(k)?.appliedBy, k).toBe('flux-system/infra-controllers');
    });

    it(`${cluster}: the failures name the unreachable registry, and infra-controllers names what blocks it`, () => {
      const byKey = new Map(runs[cluster]!.report.objects.map((o) => [key(o), o]));
      expect(byKey.get('OCIRepository/cert-manager/cert-manager')?.message).toMatch(
        /^failed to determine the artifact tag for 'oci:\/\/quay\.io\/jetstack\/charts\/cert-manager': GET https:\/\/quay\.io\/v2\/jetstack\/charts\/cert-manager\/tags\/list: /,
      );
      expect(byKey.get('OCIRepository/envoy-gateway-system/gateway-helm')?.message).toMatch(
        /^failed to determine the artifact tag for 'oci:\/\/docker\.io\/envoyproxy\/gateway-helm': /,
      );
      // What the source said when the HelmRelease last looked (a failure does not requeue it, as in Flux).
      expect(byKey.get('HelmRelease/cert-manager/cert-manager')?.message).toMatch(
        /^OCIRepository 'cert-manager\/cert-manager' is not ready: /,
      );
      expect(byKey.get('HelmRelease/envoy-gateway-system/envoy-gateway')?.message).toMatch(
        /^OCIRepository 'envoy-gateway-system\/gateway-helm' is not ready: /,
      );
      const infra = byKey.get('Kustomization/flux-system/infra-controllers');
      expect([...(infra?.blockedBy ?? [])].sort()).toEqual([
        'HelmRelease/cert-manager/cert-manager',
        'HelmRelease/envoy-gateway-system/envoy-gateway',
        'OCIRepository/cert-manager/cert-manager',
        'OCIRepository/envoy-gateway-system/gateway-helm',
      ]);
      expect(infra?.message).toContain('its health check ends with HealthCheckFailed at spec.timeout');
      expect(byKey.get('Kustomization/flux-system/infra-configs')?.message).toBe(
        "dependency 'flux-system/infra-controllers' is not ready",
      );
      expect(byKey.get('Kustomization/flux-system/apps')?.message).toBe(
        "dependency 'flux-system/infra-configs' is not ready",
      );
    });
  }

  it('both clusters share the infrastructure artifact (same content, same revision); their apps differ', () => {
    const rev = (cluster: string, name: string): string | undefined =>
      runs[cluster]!.report.objects.find((o) => key(o) === `ExternalArtifact/flux-system/${name}`)?.revision;
    expect(rev('staging', 'infrastructure')).toBe(rev('production', 'infrastructure'));
    expect(rev('staging', 'apps')).not.toBe(rev('production', 'apps'));
  });
});
