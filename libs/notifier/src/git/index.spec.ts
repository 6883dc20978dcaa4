import { ChangeRequestProviderTypes, CommitStatusProviderTypes } from '@flux-ts/api';
import { describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { gitNotifiers } from './index.ts';
import { deps, gitSettings } from './fixtures.spec-helper.ts';

const addresses: Record<string, string> = {
  bitbucketserver: 'https://example.com/scm/proj/repo.git',
  azuredevops: 'https://dev.azure.com/org/proj/_git/repo',
};

describe('gitNotifiers', () => {
  const types = [...CommitStatusProviderTypes, ...ChangeRequestProviderTypes, 'githubdispatch'] as const;

  it('registers every commit-status, change-request and dispatch type', () => {
    expect(Object.keys(gitNotifiers).sort()).toEqual([...types].sort());
  });

  it.each(types)('createNotifier builds %s', (type) => {
    const settings = gitSettings(type, addresses[type] ?? 'https://git.example.com/org/repo', {
      token: type === 'bitbucket' ? 'user:app-password' : 'tok',
    });
    expect(typeof createNotifier(settings, deps).post).toBe('function');
  });
});
