import { describe, expect, it } from 'vitest';
import { kubeConfigFromSecret } from './kubeconfig-secret.ts';

const kubeconfig = (user: string, cluster = 'certificate-authority-data: Zm9v'): string => `apiVersion: v1
kind: Config
clusters:
- name: remote
  cluster:
    server: https://remote.example:6443
    ${cluster}
users:
- name: u
  user:
    ${user}
contexts:
- name: ctx
  context: { cluster: remote, user: u }
current-context: ctx
`;
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>) => ({ metadata: { name: 'kc', namespace: 'apps' }, data });

describe('kubeConfigFromSecret', () => {
  it('reads key value, then value.yaml, or the key given', () => {
    const kc = kubeConfigFromSecret(secret({ 'value.yaml': b64(kubeconfig('token: abc')) }));
    expect(kc.getCurrentCluster()?.server).toBe('https://remote.example:6443');
    expect(kubeConfigFromSecret(secret({ value: b64(kubeconfig('token: abc')) })).getCurrentUser()?.token).toBe('abc');
    expect(
      kubeConfigFromSecret(secret({ custom: b64(kubeconfig('token: abc')) }), { key: 'custom' }).getCurrentContext(),
    ).toBe('ctx');
    expect(() => kubeConfigFromSecret(secret({ other: 'x' }))).toThrow(
      "failed to read kubeconfig: secret 'apps/kc' has no key 'value' or 'value.yaml'",
    );
  });

  it('refuses exec plugins unless allowed', () => {
    const s = secret({
      value: b64(kubeconfig('exec: { apiVersion: client.authentication.k8s.io/v1, command: /bin/steal }')),
    });
    expect(() => kubeConfigFromSecret(s)).toThrow('--insecure-kubeconfig-exec');
    expect(kubeConfigFromSecret(s, { allowExec: true }).getCurrentUser()?.exec).toBeDefined();
  });

  it('refuses insecure TLS unless allowed, and file references always', () => {
    const insecure = secret({ value: b64(kubeconfig('token: abc', 'insecure-skip-tls-verify: true')) });
    expect(() => kubeConfigFromSecret(insecure)).toThrow('--insecure-kubeconfig-tls');
    expect(kubeConfigFromSecret(insecure, { allowInsecureTLS: true }).getCurrentCluster()?.skipTLSVerify).toBe(true);
    expect(() =>
      kubeConfigFromSecret(
        secret({ value: b64(kubeconfig('token-file: /var/run/secrets/kubernetes.io/serviceaccount/token')) }),
      ),
    ).toThrow('references a file (token-file)');
    expect(() =>
      kubeConfigFromSecret(secret({ value: b64(kubeconfig('token: abc', 'certificate-authority: /etc/ca.crt')) })),
    ).toThrow('references a file (certificate-authority)');
  });

  it('never quotes the content in parse errors', () => {
    const s = { stringData: { value: 'users: [ {token: "sup3r-secret"' } };
    const err = (() => {
      try {
        kubeConfigFromSecret(s);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message).toMatch(/^failed to load kubeconfig from kubeconfig secret key 'value': invalid YAML/);
    expect(err?.message).not.toContain('sup3r-secret');
    expect(err?.cause).toBeUndefined();
  });
});
