import { describe, expect, it } from 'vitest';
import { containerEnv, expandVars, imageApp, podArgs, serviceRefs } from './pod-spec.ts';

describe('expandVars', () => {
  it('expands defined variables, keeps undefined ones and unescapes $$ as the kubelet does', () => {
    const env: Record<string, string> = { NS: 'flux-system' };
    expect(expandVars('a.$(NS).svc', (n) => env[n])).toBe('a.flux-system.svc');
    expect(expandVars('$(MISSING)/x', (n) => env[n])).toBe('$(MISSING)/x');
    expect(expandVars('$$(NS) costs $$5', (n) => env[n])).toBe('$(NS) costs $5');
  });
});

describe('containerEnv', () => {
  it('resolves the downward API and expands values against earlier entries', () => {
    const env = containerEnv(
      {
        name: 'manager',
        image: 'x',
        env: [
          { name: 'RUNTIME_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'ADDR', value: 'svc.$(RUNTIME_NAMESPACE)' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
      },
      { name: 'p-1', namespace: 'flux-system', serviceAccountName: 'sa' },
    );
    expect(env).toEqual({ RUNTIME_NAMESPACE: 'flux-system', ADDR: 'svc.flux-system', POD: 'p-1' });
  });

  it('refuses an env source it cannot honour rather than leave the variable out', () => {
    expect(() =>
      containerEnv(
        { name: 'm', image: 'x', env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } as never }] },
        { name: 'p', namespace: 'n', serviceAccountName: 'sa' },
      ),
    ).toThrow('env S: only fieldRef');
  });
});

describe('podArgs', () => {
  const opts = {
    env: { RUNTIME_NAMESPACE: 'flux-system' },
    ports: { http: 40001, healthz: 40002, 'http-prom': 40003 },
    mounts: { '/data': '/state/pods/p/volumes/data' },
    serviceAddress: (svc: string, ns: string, port: number) =>
      ns === 'flux-system' && port === 80 ? `127.0.0.1:${svc === 'source-controller' ? 50001 : 50002}` : undefined,
  };

  it("rewrites Service hostnames, emptyDir paths and the app's bind flags", () => {
    const args = podArgs(
      [
        '--events-addr=http://notification-controller.$(RUNTIME_NAMESPACE).svc.cluster.local./',
        '--storage-path=/data',
        '--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.',
        '--storage-addr',
        ':9090',
        '--concurrent=4',
      ],
      { ...opts, app: 'source-controller' },
    );
    expect(args).toEqual([
      '--events-addr=http://127.0.0.1:50002/',
      '--storage-path=/state/pods/p/volumes/data',
      '--storage-adv-addr=127.0.0.1:50001',
      '--concurrent=4',
      '--storage-addr=127.0.0.1:40001',
      '--health-addr=127.0.0.1:40002',
      '--metrics-addr=127.0.0.1:40003',
    ]);
  });

  it("binds notification-controller's http port with --events-addr", () => {
    const args = podArgs([], {
      ...opts,
      ports: { http: 40001, 'http-webhook': 40004 },
      app: 'notification-controller',
    });
    expect(args).toEqual(['--events-addr=127.0.0.1:40001', '--receiverAddr=127.0.0.1:40004']);
  });

  it('finds the Service ports the args name', () => {
    expect(serviceRefs(['--x=http://a.$(RUNTIME_NAMESPACE).svc:8080/', 'b.other.svc'], opts.env)).toEqual([
      { service: 'a', namespace: 'flux-system', port: 8080 },
      { service: 'b', namespace: 'other', port: 80 },
    ]);
  });
});

describe('imageApp', () => {
  it('names the app an image runs', () => {
    expect(imageApp('ghcr.io/flux-ts/source-controller:v0.1.0')).toBe('source-controller');
    expect(imageApp('localhost:5000/kustomize-controller@sha256:abc')).toBe('kustomize-controller');
    expect(imageApp('helm-controller')).toBe('helm-controller');
  });
});
