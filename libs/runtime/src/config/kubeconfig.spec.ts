import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeConfigError, loadKubeConfig } from './kubeconfig.ts';

const kubeconfigYaml = (server: string): string => `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
contexts:
- name: test
  context:
    cluster: test
    user: test
    namespace: apps
current-context: test
users:
- name: test
  user: {}
`;

let dir: string;
let emptyHome: string;
let noServiceAccount: string;

const writeConfig = (name: string, server: string): string => {
  const path = join(dir, name);
  writeFileSync(path, kubeconfigYaml(server));
  return path;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flux-ts-kubeconfig-'));
  emptyHome = join(dir, 'home-empty');
  mkdirSync(emptyHome);
  noServiceAccount = join(dir, 'no-sa');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadKubeConfig', () => {
  it('prefers --kubeconfig over KUBECONFIG', () => {
    const flag = writeConfig('flag.yaml', 'https://flag.example:6443');
    const fromEnv = writeConfig('env.yaml', 'https://env.example:6443');
    const kc = loadKubeConfig({ kubeconfig: flag, env: { KUBECONFIG: fromEnv }, homeDir: emptyHome });
    expect(kc.getCurrentCluster()?.server).toBe('https://flag.example:6443');
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('apps');
  });

  it('uses the first existing file of the KUBECONFIG list', () => {
    const second = writeConfig('second.yaml', 'https://second.example:6443');
    const third = writeConfig('third.yaml', 'https://third.example:6443');
    const list = [join(dir, 'missing.yaml'), second, third].join(delimiter);
    const kc = loadKubeConfig({ env: { KUBECONFIG: list }, homeDir: emptyHome, serviceAccountDir: noServiceAccount });
    expect(kc.getCurrentCluster()?.server).toBe('https://second.example:6443');
  });

  it('prefers KUBECONFIG over in-cluster credentials', () => {
    const fromEnv = writeConfig('env.yaml', 'https://env.example:6443');
    const sa = join(dir, 'sa');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'x');
    const kc = loadKubeConfig({
      env: { KUBECONFIG: fromEnv, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
      homeDir: emptyHome,
      serviceAccountDir: sa,
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://env.example:6443');
  });

  it.each([
    ['10.96.0.1', '443', 'https://10.96.0.1:443'],
    ['fd00::1', '6443', 'https://[fd00::1]:6443'],
  ])('builds an in-cluster config for %s:%s', (host, port, server) => {
    const sa = join(dir, 'sa');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'x');
    writeFileSync(join(sa, 'namespace'), 'flux-system\n');
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), kubeconfigYaml('https://home.example:6443'));
    const kc = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port },
      homeDir: home,
      serviceAccountDir: sa,
    });
    const cluster = kc.getCurrentCluster();
    expect(cluster?.server).toBe(server);
    expect(cluster?.caFile).toBe(join(sa, 'ca.crt'));
    expect(kc.getCurrentUser()?.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: join(sa, 'token') } });
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('flux-system');
  });

  it('falls back to ~/.kube/config', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), kubeconfigYaml('https://home.example:6443'));
    const kc = loadKubeConfig({
      env: { HOME: join(dir, 'elsewhere') },
      homeDir: home,
      serviceAccountDir: noServiceAccount,
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://home.example:6443');
  });

  it('takes the home directory from env.HOME when not given', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), kubeconfigYaml('https://home-env.example:6443'));
    const kc = loadKubeConfig({ env: { HOME: home }, serviceAccountDir: noServiceAccount });
    expect(kc.getCurrentCluster()?.server).toBe('https://home-env.example:6443');
  });

  it('lists every source it tried when none applies', () => {
    const sa = join(dir, 'sa-empty');
    mkdirSync(sa);
    const missing = join(dir, 'missing.yaml');
    let error: unknown;
    try {
      loadKubeConfig({
        env: { KUBECONFIG: missing, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
        homeDir: emptyHome,
        serviceAccountDir: sa,
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toBe(
      'failed to load kubeconfig: no configuration found; tried --kubeconfig (not set), ' +
        `KUBECONFIG (none of ${JSON.stringify(missing)} exists), ` +
        `in-cluster (service account token ${JSON.stringify(join(sa, 'token'))} not found), ` +
        `${join(emptyHome, '.kube', 'config')} (not found)`,
    );
  });

  it('reports in-cluster as skipped when the service env vars are missing', () => {
    expect(() => loadKubeConfig({ env: {}, homeDir: emptyHome, serviceAccountDir: noServiceAccount })).toThrow(
      'in-cluster (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set)',
    );
  });

  it('fails on a --kubeconfig file that does not exist, naming it', () => {
    const missing = join(dir, 'nope.yaml');
    expect(() => loadKubeConfig({ kubeconfig: missing, env: {}, homeDir: emptyHome })).toThrow(
      `failed to load kubeconfig from --kubeconfig ${JSON.stringify(missing)}`,
    );
  });

  it('fails on a kubeconfig file that is not a kubeconfig', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'clusters: [unclosed\n');
    expect(() => loadKubeConfig({ kubeconfig: bad, env: {}, homeDir: emptyHome })).toThrow(KubeConfigError);
  });
});

describe('loadKubeConfig with a malformed file', () => {
  it('fails with one line naming the file and the parse error', () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\nclusters: [ {name: x, cluster: {server: ');
    let error: unknown;
    try {
      loadKubeConfig({ kubeconfig: path, env: { HOME: emptyHome } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KubeConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      new RegExp(
        `^failed to load kubeconfig from --kubeconfig ${JSON.stringify(path).replace(/[\\/.]/g, '\\$&')}: .+\\(3:\\d+\\)$`,
      ),
    );
  });
});
