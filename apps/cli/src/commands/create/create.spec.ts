import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { createCommandContext } from '../../context.ts';
import { addGlobalFlags } from '../../globals.ts';
import type { CliIO } from '../../io.ts';
import { registerCreateCommands, type CreateDeps } from './register.ts';

const here = dirname(fileURLToPath(import.meta.url));
const GITHUB_KNOWN_HOSTS =
  'github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs `flux-ts <args>` offline, with files read relative to this directory and github.com's host key canned. */
async function run(args: string, env: Record<string, string> = {}, stdin = ''): Promise<Run> {
  let out = '';
  let err = '';
  const io: CliIO = {
    env,
    cwd: here,
    stdin: (async function* () {
      yield Buffer.from(stdin);
    })() as unknown as NodeJS.ReadableStream,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal: new AbortController().signal,
  };
  const ctx = createCommandContext(io);
  const deps: CreateDeps = {
    scanHostKey: (host, port) => Promise.resolve(host === 'github.com' && port === 22 ? GITHUB_KNOWN_HOSTS : ''),
    readFile: (path) => readFileSync(resolve(here, path), 'utf8'),
    confirm: () => Promise.resolve(true),
  };
  const program = new Command('flux-ts')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  addGlobalFlags(program, env);
  registerCreateCommands(program, ctx, deps);
  try {
    await program.parseAsync(
      args.split(' ').filter((a) => a !== ''),
      { from: 'user' },
    );
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode, out, err };
    return { code: 1, out, err: `${err}✗ ${(e as Error).message}\n` };
  }
}

const FLUXNS = 'flux-system-golden';
const golden = (file: string): string =>
  readFileSync(join(here, 'testdata', file), 'utf8').replaceAll('{{ .fluxns }}', FLUXNS);

/** [args, golden file under testdata/] — the args of flux2's `cmd/flux/create_*_test.go` (see testdata/README.md). */
const GOLDEN_CASES: [string, string][] = [
  // create_source_git_test.go
  [
    'create source git podinfo --url=https://github.com/stefanprodan/podinfo --branch=master --ignore-paths .cosign,non-existent-dir/ -n default --interval 1m --export --timeout=10s',
    'create_source_git/export.golden',
  ],
  [
    'create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo --commit=c88a2f41 --interval=1m0s --export',
    'create_source_git/source-git-commit.yaml',
  ],
  [
    'create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo --ref-name=refs/heads/main --interval=1m0s --export',
    'create_source_git/source-git-refname.yaml',
  ],
  [
    'create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo --branch=main --commit=c88a2f41 --interval=1m0s --export',
    'create_source_git/source-git-branch-commit.yaml',
  ],
  [
    'create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo --tag-semver=v1.01 --interval=1m0s --export',
    'create_source_git/source-git-semver.yaml',
  ],
  [
    'create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo --tag=test --interval=1m0s --export',
    'create_source_git/source-git-tag.yaml',
  ],
  [
    'create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo --branch=test --interval=1m0s --export',
    'create_source_git/source-git-branch.yaml',
  ],
  // Upstream goldens whose test args are not in the reference store: the args follow the golden's fields.
  [
    'create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo --branch=test --provider=generic --interval=1m0s --export',
    'create_source_git/source-git-provider-generic.yaml',
  ],
  [
    'create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo --branch=test --provider=github --secret-ref=appinfo --interval=1m0s --export',
    'create_source_git/source-git-provider-github.yaml',
  ],
  // create_source_helm_test.go
  [
    `create source helm podinfo --url=oci://ghcr.io/stefanprodan/charts/podinfo --interval 5m --export -n ${FLUXNS}`,
    'create_source_helm/oci.golden',
  ],
  [
    `create source helm podinfo --url=oci://ghcr.io/stefanprodan/charts/podinfo --interval 5m --secret-ref=creds --export -n ${FLUXNS}`,
    'create_source_helm/oci-with-secret.golden',
  ],
  [
    `create source helm podinfo --url=https://stefanprodan.github.io/charts/podinfo --interval 5m --export -n ${FLUXNS}`,
    'create_source_helm/https.golden',
  ],
  // create_source_oci_test.go
  [
    'create source oci podinfo --url=oci://ghcr.io/stefanprodan/manifests/podinfo --tag=6.3.5 --interval 10m --export',
    'oci/export.golden',
  ],
  [
    'create source oci podinfo --url=oci://ghcr.io/stefanprodan/manifests/podinfo --tag=6.3.5 --interval 10m --secret-ref=creds --export',
    'oci/export_with_secret.golden',
  ],
  [
    'create source oci podinfo --url=oci://ghcr.io/stefanprodan/manifests/podinfo --tag=6.3.5 --interval 10m --verify-provider=cosign --verify-secret-ref=cosign-pub --export',
    'oci/export_with_verify_secret.golden',
  ],
  // create_kustomization (golden upstream; args from the change that added it)
  [
    'create kustomization mysql --source=GitRepository/apps --path=./apps --decryption-provider=sops --decryption-secret=sops-age --namespace=flux-system --interval=1m --export',
    'create_kustomization/with-sops-decryption.yaml',
  ],
  // create_helmrelease_test.go
  [
    `create helmrelease podinfo --source Helmrepository/podinfo --chart podinfo --interval=1m0s --export -n ${FLUXNS}`,
    'create_hr/basic.yaml',
  ],
  [
    `create helmrelease podinfo --chart-ref OCIRepository/podinfo --interval=1m0s --export -n ${FLUXNS}`,
    'create_hr/or_basic.yaml',
  ],
  [
    `create helmrelease podinfo --chart-ref HelmChart/podinfo --interval=1m0s --export -n ${FLUXNS}`,
    'create_hr/hc_basic.yaml',
  ],
  // create_image_update_test.go
  [
    'create image update flux-system --git-repo-ref=flux-system --checkout-branch=main --author-name=flux --author-email=flux@example.com --interval=1m0s --namespace=flux-system --export',
    'create_image_update/no-signing.yaml',
  ],
  [
    'create image update flux-system --git-repo-ref=flux-system --checkout-branch=main --author-name=flux --author-email=flux@example.com --signing-key-secret=my-key --interval=1m0s --namespace=flux-system --export',
    'create_image_update/signing-default-gpg.yaml',
  ],
  [
    'create image update flux-system --git-repo-ref=flux-system --checkout-branch=main --author-name=flux --author-email=flux@example.com --signing-key-secret=my-deploy-key --signing-key-type=ssh --interval=1m0s --namespace=flux-system --export',
    'create_image_update/signing-ssh.yaml',
  ],
  // create_tenant_test.go
  [
    'create tenant dev-team --with-namespace=apps --cluster-role=cluster-admin --export',
    'create_tenant/tenant-basic.yaml',
  ],
  [
    'create tenant dev-team --with-namespace=apps --cluster-role=cluster-admin --with-service-account=flux-tenant --export',
    'create_tenant/tenant-with-service-account.yaml',
  ],
  [
    'create tenant dev-team --with-namespace=apps --cluster-role=custom-role --export',
    'create_tenant/tenant-with-cluster-role.yaml',
  ],
  // create_secret_git_test.go
  [
    'create secret git podinfo-auth --url=https://github.com/stefanprodan/podinfo --username=my-username --password=my-password --namespace=my-namespace --export',
    'create_secret/git/secret-git-basic.yaml',
  ],
  [
    'create secret git podinfo-auth --url=ssh://git@github.com/stefanprodan/podinfo --private-key-file=./testdata/create_secret/git/ecdsa.private --namespace=my-namespace --export',
    'create_secret/git/git-ssh-secret.yaml',
  ],
  [
    'create secret git podinfo-auth --url=ssh://git@github.com/stefanprodan/podinfo --private-key-file=./testdata/create_secret/git/ecdsa-password.private --password=password --namespace=my-namespace --export',
    'create_secret/git/git-ssh-secret-password.yaml',
  ],
  [
    'create secret git bearer-token-auth --url=https://github.com/stefanprodan/podinfo --bearer-token=ghp_baR2qnFF0O41WlucePL3udt2N9vVZS4R0hAS --namespace=my-namespace --export',
    'create_secret/git/git-bearer-token.yaml',
  ],
  [
    'create secret git ca-crt --url=https://github.com/stefanprodan/podinfo --password=my-password --username=my-username --ca-crt-file=./testdata/create_secret/git/ca-crt.txt --namespace=my-namespace --export',
    'create_secret/git/secret-ca-crt.yaml',
  ],
  // create_secret_helm_test.go
  [
    'create secret helm helm-secret --username=my-username --password=my-password --namespace=my-namespace --export',
    'create_secret/helm/secret-helm.yaml',
  ],
  // create_secret_oci_test.go
  [
    'create secret oci ghcr --namespace=my-namespace --url ghcr.io --username stefanprodan --password=password --export',
    'create_secret/oci/create-secret.yaml',
  ],
  // create_secret_tls_test.go
  [
    'create secret tls certs --namespace=my-namespace --tls-crt-file=./testdata/create_secret/tls/test-cert.pem --tls-key-file=./testdata/create_secret/tls/test-key.pem --ca-crt-file=./testdata/create_secret/tls/test-ca.pem --export',
    'create_secret/tls/secret-tls.yaml',
  ],
  // create_secret_proxy_test.go
  [
    'create secret proxy proxy-secret --address=https://my-proxy.com --username=my-username --password=my-password --namespace=my-namespace --export',
    'create_secret/proxy/secret-proxy.yaml',
  ],
  // create_secret_receiver_test.go
  [
    'create secret receiver receiver-secret --type=github --token=test-token --hostname=flux.example.com --namespace=my-namespace --export',
    'create_secret/receiver/secret-receiver.yaml',
  ],
  [
    'create secret receiver gcr-secret --type=gcr --token=test-token --hostname=flux.example.com --email-claim=sa@project.iam.gserviceaccount.com --namespace=my-namespace --export',
    'create_secret/receiver/secret-receiver-gcr.yaml',
  ],
  // create_secret_githubapp_test.go
  [
    'create secret githubapp appinfo --namespace my-namespace --app-id 1 --app-installation-id 2 --app-private-key ./testdata/create_secret/githubapp/test-private-key.pem --export',
    'create_secret/githubapp/secret.yaml',
  ],
];

/**
 * create_source_chart_test.go: its goldens hold the combined output (the `✚` line, then the YAML) and `interval: 0s`,
 * the value the Go test's shared flag state leaves (its `resetCmdArgs` zeroes `--interval`); `--interval=0s` states it.
 */
const CHART_CASES: [string, string][] = [
  [
    `create source chart podinfo --source helmrepository/podinfo --chart podinfo --export --interval=0s -n ${FLUXNS}`,
    'create_source_chart/basic.yaml',
  ],
  [
    `create source chart podinfo --source helmrepository/podinfo --chart podinfo --verify-provider cosign --export --interval=0s -n ${FLUXNS}`,
    'create_source_chart/verify_basic.yaml',
  ],
  [
    `create source chart podinfo --source helmrepository/podinfo --chart podinfo --verify-provider cosign --verify-issuer foo --verify-subject bar --export --interval=0s -n ${FLUXNS}`,
    'create_source_chart/verify_complete.yaml',
  ],
];

/** Kinds upstream has no golden for: expected output written from flux's docs and the API types (testdata/README.md). */
const DOC_CASES: [string, string][] = [
  [
    'create source bucket podinfo --bucket-name=podinfo --endpoint=minio.minio.svc.cluster.local:9000 --insecure=true --interval=10m --export',
    'create_source_bucket/bucket.yaml',
  ],
  // The getting-started guide's commands and the YAML it shows.
  [
    'create source git podinfo --url=https://github.com/stefanprodan/podinfo --branch=master --interval=1m --export',
    'create_source_git/getting-started.yaml',
  ],
  [
    'create kustomization podinfo --target-namespace=default --source=podinfo --path=./kustomize --prune=true --wait=true --interval=30m --retry-interval=2m --health-check-timeout=3m --export',
    'create_kustomization/getting-started.yaml',
  ],
  // The image automation guide's commands and the YAML it shows (API version v1, as flux emits today).
  [
    'create image repository podinfo --image=ghcr.io/stefanprodan/podinfo --interval=5m --export',
    'create_image/repository.yaml',
  ],
  ['create image policy podinfo --image-ref=podinfo --select-semver=5.0.x --export', 'create_image/policy.yaml'],
  [
    'create alert-provider slack --type=slack --channel=general --address=https://hooks.slack.com/services --secret-ref=webhook-url --export',
    'create_alert/provider.yaml',
  ],
  [
    'create alert podinfo --provider-ref=slack --event-severity=info --event-source=GitRepository/podinfo,Kustomization/podinfo --export',
    'create_alert/alert.yaml',
  ],
  [
    'create receiver github-receiver --type=github --event=ping,push --secret-ref=webhook-token --resource=GitRepository/webapp,HelmRepository/webapp --export',
    'create_receiver/receiver.yaml',
  ],
];

describe('flux-ts create --export is byte-identical with flux', () => {
  it.each(GOLDEN_CASES)('%s', async (args, file) => {
    const r = await run(args);
    expect(r.err).toBe('');
    expect(r.out).toBe(golden(file));
  });

  it.each(CHART_CASES)('%s', async (args, file) => {
    const r = await run(args);
    expect(r.err + r.out).toBe(golden(file));
  });

  it.each(DOC_CASES)('%s', async (args, file) => {
    const r = await run(args);
    expect(r.err).toBe('');
    expect(r.out).toBe(golden(file));
  });
});

/** [args, error] — flux's validation errors, from the same test files. */
const ERROR_CASES: [string, string][] = [
  ['create source git', 'name is required'],
  ['create secret git', 'name is required'],
  ['create source helm', 'name is required'],
  [
    'create source helm podinfo --url=git://example.com/charts --export',
    "url scheme 'git' not supported, can be: http, https and oci",
  ],
  ['create source oci', 'name is required'],
  ['create source oci podinfo', 'url is required'],
  [
    'create source oci podinfo --url=oci://ghcr.io/stefanprodan/manifests/podinfo --tag=6.3.5 --verify-secret-ref=cosign-pub',
    'a verification provider must be specified when a secret is specified',
  ],
  ['create kustomization my-app --path=./deploy --export', 'source is required'],
  ['create helmrelease --export', 'name is required'],
  ['create helmrelease podinfo --export', 'chart or chart-ref is required'],
  [
    'create helmrelease podinfo --chart podinfo --chart-ref foobar/podinfo --export',
    'cannot use --chart in combination with --chart-ref',
  ],
  [
    'create helmrelease podinfo --source foobar/podinfo --chart podinfo --export',
    `invalid argument "foobar/podinfo" for "--source" flag: source kind 'foobar' is not supported, must be one of: HelmRepository, GitRepository, Bucket`,
  ],
  [
    'create helmrelease podinfo --chart-ref foobar/podinfo --export',
    `chart reference kind 'foobar' is not supported, must be one of: OCIRepository, HelmChart`,
  ],
  [
    'create image update flux-system --git-repo-ref=flux-system --checkout-branch=main --author-name=flux --author-email=flux@example.com --signing-key-type=ssh --namespace=flux-system --export',
    '--signing-key-type requires --signing-key-secret',
  ],
  [
    'create image update flux-system --git-repo-ref=flux-system --checkout-branch=main --author-name=flux --author-email=flux@example.com --signing-key-secret=k --signing-key-type=pgp --namespace=flux-system --export',
    '--signing-key-type must be one of: gpg, ssh',
  ],
  ['create tenant', 'name is required'],
  ['create tenant dev-team --cluster-role=cluster-admin', 'with-namespace is required'],
  [
    'create secret git podinfo-auth --url=https://github.com/stefanprodan/podinfo --username=aaa --password=zzzz --bearer-token=aaaa --namespace=my-namespace --export',
    'user credentials and bearer token cannot be used together',
  ],
  ['create secret helm', 'secret name is required'],
  ['create secret oci', 'name is required'],
  ['create secret oci ghcr', '--url is required'],
  ['create secret tls', 'name is required'],
  ['create secret proxy proxy-secret', 'address is required'],
  ['create secret receiver test-secret --token=t --hostname=h', '--type is required'],
  [
    'create secret receiver test-secret --type=invalid --token=t --hostname=h',
    `invalid argument "invalid" for "--type" flag: receiver type 'invalid' is not supported, must be one of: generic, generic-hmac, github, gitlab, bitbucket, harbor, dockerhub, quay, gcr, nexus, acr, cdevents`,
  ],
  ['create secret receiver test-secret --type=github --token=t', '--hostname is required'],
  [
    'create secret receiver test-secret --type=gcr --token=t --hostname=h',
    '--email-claim is required for gcr receiver type',
  ],
  ['create secret githubapp', 'name is required'],
  ['create source chart --export', 'name is required'],
  ['create source chart podinfo --export', 'chart source is required'],
  ['create source chart podinfo --source helmrepository/podinfo --export', 'chart name or path is required'],
  [
    'create source chart podinfo --source foobar/podinfo --export',
    `invalid argument "foobar/podinfo" for "--source" flag: source kind 'foobar' is not supported, must be one of: HelmRepository|GitRepository|Bucket`,
  ],
  [
    'create source chart podinfo --source helmrepository/podinfo --chart podinfo --verify-provider foobar --export',
    `invalid argument "foobar" for "--verify-provider" flag: source OCI verify provider 'foobar' is not supported, must be one of: cosign`,
  ],
  ['create receiver webapp --type=github --secret-ref=token', 'atleast one resource is required'],
  ['create alert podinfo --provider-ref=slack', 'at least one event source is required'],
  ['create alert-provider slack', 'Provider type is required'],
  ['create source bucket podinfo --endpoint=minio:9000', 'bucket-name is required'],
  ['create image policy podinfo', 'the name of an ImageRepository in the namespace is required (--image-ref)'],
  ['create image repository podinfo', 'an image repository (--image) is required'],
  ['create secret githubapp appinfo', '--app-id is required'],
  ['create secret githubapp appinfo --app-id 1', '--app-installation-id is required'],
  ['create secret githubapp appinfo --app-id 1 --app-installation-id 2', '--app-private-key is required'],
  [
    'create secret githubapp appinfo --app-id 1 --app-installation-id 2 --app-private-key pk.pem',
    'unable to read private key file: open pk.pem: no such file or directory',
  ],
];

describe('flux-ts create validation errors are flux’s', () => {
  it.each(ERROR_CASES)('%s', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`✗ ${message}\n`);
  });
});

describe('flux-ts create secret git key generation', () => {
  it('generates an ECDSA P-384 key by default and derives the same public key from it', async () => {
    const r = await run('create secret git gen --url=ssh://git@github.com/org/repo --namespace=ns --export');
    expect(r.code).toBe(0);
    expect(r.out).toContain('-----BEGIN EC PRIVATE KEY-----');
    const pub = /identity\.pub: \|\n {4}(ecdsa-sha2-nistp384 \S+)\n/.exec(r.out);
    expect(pub).not.toBeNull();
    const { publicKeyOf } = await import('./ssh-keys.ts');
    const key = /identity: \|\n((?: {4}.*\n)+)/.exec(r.out)?.[1]?.replaceAll('    ', '') ?? '';
    expect(publicKeyOf(key)).toBe(`${pub?.[1] ?? ''}\n`);
  });

  it.each(['rsa', 'ed25519'])('generates %s keys whose public key parses back', async (alg) => {
    const r = await run(
      `create secret git gen --url=ssh://git@github.com/org/repo --ssh-key-algorithm=${alg} --export`,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(alg === 'rsa' ? /identity\.pub: \|\n {4}ssh-rsa / : /identity\.pub: \|\n {4}ssh-ed25519 /);
  });
});

describe('flux-ts envsubst', () => {
  it('substitutes the environment line by line, with defaults', async () => {
    const r = await run('envsubst', { NAME: 'podinfo' }, 'name: ${NAME}\nns: ${NS:=default}\n');
    expect(r.out).toBe('name: podinfo\nns: default\n');
  });

  it('fails on an unset variable in strict mode', async () => {
    const r = await run('envsubst --strict', {}, 'name: ${NAME}\n');
    expect(r.code).toBe(1);
    expect(r.err).toContain('variable not set (strict mode)');
  });
});
