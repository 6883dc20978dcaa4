import { describe, expect, it } from 'vitest';
import { readControllerEnv } from './env.ts';

describe('readControllerEnv', () => {
  it('reads RUNTIME_NAMESPACE and SOURCE_CONTROLLER_LOCALHOST', () => {
    const env = readControllerEnv({ RUNTIME_NAMESPACE: 'flux-system', SOURCE_CONTROLLER_LOCALHOST: 'localhost:9090' });
    expect(env).toEqual({ runtimeNamespace: 'flux-system', sourceControllerLocalhost: 'localhost:9090' });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(
      readControllerEnv({ RUNTIME_NAMESPACE: '', SOURCE_CONTROLLER_LOCALHOST: undefined }, () => undefined),
    ).toEqual({
      runtimeNamespace: undefined,
      sourceControllerLocalhost: undefined,
    });
  });

  it('falls back to the in-cluster ServiceAccount namespace, RUNTIME_NAMESPACE winning', () => {
    expect(readControllerEnv({}, () => 'apps').runtimeNamespace).toBe('apps');
    expect(readControllerEnv({ RUNTIME_NAMESPACE: 'flux-system' }, () => 'apps').runtimeNamespace).toBe('flux-system');
    expect(readControllerEnv({}, () => '').runtimeNamespace).toBeUndefined();
  });
});
