import { beforeAll, describe, expect, it } from 'vitest';
import { commitStatusFor, loadCommitStatusCel } from './commit-status.ts';

beforeAll(loadCommitStatusCel);
import { gitSettings, testEvent } from './fixtures.spec-helper.ts';

describe('commitStatusFor', () => {
  it('defaults to <kind>/<name>/<providerUID[:8]>', () => {
    expect(commitStatusFor(gitSettings('github', 'https://github.com/o/r'))(testEvent())).toBe(
      'kustomization/webapp/0c9c2e41',
    );
  });

  it('evaluates commitStatusExpr with event, provider and alert', () => {
    const settings = gitSettings('github', 'https://github.com/o/r', {
      commitStatusExpr:
        "event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.clusterName + '/' + " +
        "provider.metadata.name + '/' + alert.metadata.name + '/' + provider.spec.type",
      provider: {
        name: 'git',
        namespace: 'flux-system',
        uid: 'u',
        object: { metadata: { name: 'git', namespace: 'flux-system' }, spec: { type: 'github' } },
      },
      alert: { name: 'all', namespace: 'flux-system', uid: 'a' },
    });
    const event = testEvent({ metadata: { revision: 'r', clusterName: 'prod-01' } });
    expect(commitStatusFor(settings)(event)).toBe('Kustomization/webapp/prod-01/git/all/github');
  });

  it('offers the strings extension', () => {
    const settings = gitSettings('gitlab', 'https://gitlab.com/o/r', {
      commitStatusExpr: "(event.involvedObject.kind + '/' + event.involvedObject.name).lowerAscii() + '/dev-01'",
    });
    expect(commitStatusFor(settings)(testEvent())).toBe('kustomization/webapp/dev-01');
  });

  it('rejects an expression that does not compile, when the notifier is created', () => {
    const settings = gitSettings('github', 'https://github.com/o/r', { commitStatusExpr: 'event.(' });
    expect(() => commitStatusFor(settings)).toThrow(
      /^failed to evaluate the spec.commitStatusExpr CEL expression for the event: failed to compile expression/,
    );
  });

  it('rejects a missing key or a non-string result when an event is posted', () => {
    const missing = commitStatusFor(gitSettings('github', 'x', { commitStatusExpr: 'event.metadata.nope' }));
    expect(() => missing(testEvent())).toThrow(/^failed to evaluate the spec.commitStatusExpr CEL expression/);
    const number = commitStatusFor(gitSettings('github', 'x', { commitStatusExpr: '1 + 2' }));
    expect(() => number(testEvent())).toThrow('the expression must evaluate to a string');
  });
});

describe('commitStatusFor event fields', () => {
  it('leaves absent optional fields out of the event, as upstream omitempty', () => {
    const settings = gitSettings('github', 'x', {
      commitStatusExpr: "has(event.metadata) ? 'with' : 'without'",
    });
    expect(commitStatusFor(settings)(testEvent({ metadata: undefined }))).toBe('without');
    expect(commitStatusFor(settings)(testEvent())).toBe('with');
  });
});
