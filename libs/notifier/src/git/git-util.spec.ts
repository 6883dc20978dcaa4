import { describe, expect, it } from 'vitest';
import {
  changeRequestNumber,
  defaultCommitStatus,
  eventRevision,
  formatCommentBody,
  formatMarkdownPost,
  formatNameAndDescription,
  goParseInt,
  parseGitAddress,
  parseRevision,
  splitCamelcase,
  splitRepositoryId,
} from './git-util.ts';
import { PROVIDER_UID, SHA, testEvent } from './fixtures.spec-helper.ts';

describe('parseGitAddress', () => {
  it.each([
    ['https://github.com/foo/bar', 'https://github.com', 'foo/bar'],
    ['https://github.com/foo/bar.git', 'https://github.com', 'foo/bar'],
    ['ssh://git@github.com/foo/bar.git', 'https://github.com', 'foo/bar'],
    ['git@github.com:foo/bar.git', 'https://github.com', 'foo/bar'],
    ['http://localhost:3000/foo/bar', 'http://localhost:3000', 'foo/bar'],
    ['https://gitlab.example.com/group/sub/project', 'https://gitlab.example.com', 'group/sub/project'],
    ['https://user:pass@gitlab.com/12345', 'https://gitlab.com', '12345'],
    ['https://dev.azure.com/org/proj/_git/repo', 'https://dev.azure.com', 'org/proj/_git/repo'],
  ])('%s', (address, host, id) => {
    expect(parseGitAddress(address)).toEqual({ host, id });
  });

  it('refuses an address that is no URL without repeating it', () => {
    expect(() => parseGitAddress('not an address with s3cr3t')).toThrow(/^failed parsing URL/);
    expect(() => parseGitAddress('not an address with s3cr3t')).not.toThrow(/s3cr3t/);
  });

  it('requires the number of id parts, as upstream', () => {
    expect(splitRepositoryId('foo/bar', 2)).toEqual(['foo', 'bar']);
    expect(() => splitRepositoryId('foo/bar/baz', 2)).toThrow('invalid repository id "foo/bar/baz"');
  });
});

describe('parseRevision', () => {
  it.each([`main@sha1:${SHA}`, `feature/x@sha1:${SHA}`, `sha1:${SHA}`, `main/${SHA}`, `feature/x/${SHA}`, SHA])(
    '%s',
    (rev) => {
      expect(parseRevision(rev)).toBe(SHA);
    },
  );

  it('refuses a revision without a SHA-1 commit', () => {
    const oci = 'main@sha256:6f132a51cacdd080a2efc97cdc20b1807c025b6464c58a530f3803373d5f12cf';
    expect(() => parseRevision(oci)).toThrow(`failed to extract commit hash from '${oci}' revision`);
  });
});

describe('eventRevision', () => {
  it('prefers originRevision, then revision, then commit', () => {
    expect(eventRevision(testEvent({ metadata: { revision: 'r', originRevision: 'o', commit: 'c' } }))).toBe('o');
    expect(eventRevision(testEvent({ metadata: { revision: 'r', commit: 'c' } }))).toBe('r');
    expect(eventRevision(testEvent({ metadata: { commit: 'c' } }))).toBe('c');
    expect(eventRevision(testEvent({ metadata: undefined }))).toBeUndefined();
  });
});

describe('names and descriptions', () => {
  it('splits camel case as fatih/camelcase', () => {
    expect(splitCamelcase('ReconciliationSucceeded')).toEqual(['Reconciliation', 'Succeeded']);
    expect(splitCamelcase('PDFLoader')).toEqual(['PDF', 'Loader']);
    expect(splitCamelcase('GL11Version')).toEqual(['GL', '11', 'Version']);
    expect(splitCamelcase('BøllerSkruer')).toEqual(['Bøller', 'Skruer']);
  });

  it('formats the name and description', () => {
    expect(formatNameAndDescription(testEvent({ reason: 'HealthCheckFailed' }))).toEqual({
      name: 'kustomization/webapp',
      description: 'health check failed',
    });
  });

  it('formats the default commit status from the Provider UID', () => {
    expect(defaultCommitStatus(PROVIDER_UID, testEvent())).toBe('kustomization/webapp/0c9c2e41');
  });
});

describe('change request comments', () => {
  it('formats the Markdown post with sorted metadata, leaving change_request out', () => {
    const event = testEvent({
      severity: 'error',
      message: 'apply failed',
      metadata: { revision: 'main@sha1:abc', change_request: '7', a: 'b' },
    });
    expect(formatMarkdownPost(event)).toBe(
      '## Flux Status\n\n⚠️ Kustomization/flux-system/webapp\n\napply failed\n\nMetadata:\n' +
        '* `a`: b\n* `revision`: main@sha1:abc\n',
    );
    expect(formatCommentBody('flux-pr-comment-key', 'uid-1', event)).toMatch(
      /^<!-- flux-pr-comment-key:uid-1\/Kustomization\/flux-system\/webapp -->\n\n## Flux Status\n\n⚠️ /,
    );
  });

  it('reads the change request number with Go strconv errors', () => {
    expect(changeRequestNumber(testEvent({ metadata: { change_request: '42' } }), 'strconv.Atoi')).toBe(42);
    expect(() => changeRequestNumber(testEvent({ metadata: {} }), 'strconv.Atoi')).toThrow(
      'missing "change_request" metadata key',
    );
    expect(() => changeRequestNumber(testEvent({ metadata: { change_request: 'x1' } }), 'strconv.ParseInt')).toThrow(
      'invalid "change_request" metadata value "x1": strconv.ParseInt: parsing "x1": invalid syntax',
    );
    expect(() => goParseInt('99999999999999999999', 'strconv.Atoi')).toThrow(
      'strconv.Atoi: parsing "99999999999999999999": value out of range',
    );
  });
});
