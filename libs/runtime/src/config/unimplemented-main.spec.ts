import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareControllerMain, ServiceAccountDirEnv } from './unimplemented-main.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('prepareControllerMain', () => {
  it(`loads the in-cluster configuration from the mount that ${ServiceAccountDirEnv} names`, () => {
    const sa = mkdtempSync(join(tmpdir(), 'flux-ts-sa-'));
    dirs.push(sa);
    writeFileSync(join(sa, 'token'), 'pod-token');
    writeFileSync(join(sa, 'ca.crt'), '');
    writeFileSync(join(sa, 'namespace'), 'flux-system');
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) } };
    const start = prepareControllerMain({
      controller: 'test-controller',
      notice: 'test',
      flags: [{ name: 'kubeconfig', type: 'string', default: '', usage: 'kubeconfig' }],
      argv: [],
      env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443', [ServiceAccountDirEnv]: sa },
      io,
    });
    expect(out).toEqual([]);
    if ('exitCode' in start) throw new Error(`exit ${start.exitCode}`);
    expect(start.kubeConfig.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(start.kubeConfig.getContextObject(start.kubeConfig.getCurrentContext())?.namespace).toBe('flux-system');
  });
});
