import { describe, expect, it } from 'vitest';
import { readControllerEnv } from './env.ts';

describe('readControllerEnv', () => {
  it('reads RUNTIME_NAMESPACE and SOURCE_CONTROLLER_LOCALHOST', () => {
    const env = readControllerEnv({ RUNTIME_NAMESPACE: 'flux-system', SOURCE_CONTROLLER_LOCALHOST: 'localhost:9090' });
    expect(env).toEqual({ runtimeNamespace: 'flux-system', sourceControllerLocalhost: 'localhost:9090' });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(readControllerEnv({ RUNTIME_NAMESPACE: '', SOURCE_CONTROLLER_LOCALHOST: undefined })).toEqual({
      runtimeNamespace: undefined,
      sourceControllerLocalhost: undefined,
    });
  });
});
