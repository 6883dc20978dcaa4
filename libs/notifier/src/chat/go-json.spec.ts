import { describe, expect, it } from 'vitest';
import { testEvent } from './fixtures.spec-helper.ts';
import { formatMarkdownPost } from './markdown.ts';
import { goEventJSON, goJSON } from './go-json.ts';
import { goFormEncode, goParseQuery, goQueryEscape } from './format.ts';

describe('goJSON', () => {
  it("escapes what Go's encoding/json escapes beyond JSON.stringify", () => {
    expect(goJSON({ s: '<a href="x">&\u2028\u2029\n\t\b\f\u0001' })).toBe(
      '{"s":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u2028\\u2029\\n\\t\\b\\f\\u0001"}',
    );
  });

  it('lays the event out as eventv1.Event marshals: order, omitempty, sorted metadata, whole seconds', () => {
    const event = testEvent({
      involvedObject: { apiVersion: 'v1', name: 'n', kind: 'K', namespace: 'ns', uid: 'u' },
      metadata: { b: '1', a: '2' },
      reportingInstance: undefined,
      timestamp: '2024-01-02T03:04:05.678+01:00',
    });
    expect(goEventJSON(event)).toBe(
      '{"involvedObject":{"kind":"K","namespace":"ns","name":"n","uid":"u","apiVersion":"v1"},"severity":"info",' +
        '"timestamp":"2024-01-02T02:04:05Z","message":"message","reason":"reason","metadata":{"a":"2","b":"1"},' +
        '"reportingController":"source-controller"}',
    );
    expect(goEventJSON(testEvent({ metadata: {} }))).not.toContain('metadata');
  });
});

describe('Go URL encoding', () => {
  it('escapes as url.QueryEscape', () => {
    expect(goQueryEscape("a b~-_.!'()*/?&=")).toBe('a+b~-_.%21%27%28%29%2A%2F%3F%26%3D');
  });

  it('encodes sorted and parses back', () => {
    const q = goParseQuery('z=1&a=x+y&a=%2F&bad=%zz');
    expect(q).toEqual({ z: ['1'], a: ['x y', '/'], bad: ['%zz'] });
    expect(goFormEncode({ z: ['1'], a: ['x y', '/'] })).toBe('a=x+y&a=%2F&z=1');
  });
});

describe('formatMarkdownPost', () => {
  it('leaves the change request key out', () => {
    expect(formatMarkdownPost(testEvent({ metadata: { change_request: '42', test: 'metadata' } }))).toBe(
      '## Flux Status\n\nℹ️ GitRepository/gitops-system/webapp\n\nmessage\n\nMetadata:\n* `test`: metadata\n',
    );
  });
});
