// The Receiver steps table-tested alone (upstream receiver_controller_test.go, receiver_claims_test.go): the webhook
// path digest, the token read and its refusals, and the configuration checks that stall.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { GenericError, StallingError, newLogger } from '@flux-ts/runtime';
import { OIDCClaimsProcessor, loadReceiverCel } from './cel.ts';
import { FakeCluster, readyReceiver, secret, testToken } from './fakes.spec-helper.ts';
import { ReceiverReconciler, webhookPathFor } from './reconciler.ts';
import type { ReceiverObject, ReceiverState } from './reconciler.ts';

function reconciler(c: FakeCluster): ReceiverReconciler {
  return new ReceiverReconciler({
    reader: c.reader,
    secretReader: c.reader,
    patchClient: { patch: async () => ({}) } as never,
    fieldManager: 'test',
  });
}

const state = (): ReceiverState => ({ log: newLogger({ level: 'silent' }), signal: new AbortController().signal });

function receiver(spec: Partial<ReceiverObject['spec']> & Pick<ReceiverObject['spec'], 'type'>): ReceiverObject {
  const r = readyReceiver('r', spec);
  delete r.status!.webhookPath;
  return r;
}

describe('webhookPathFor', () => {
  it('is /hook/ + hex(sha256(token + name + namespace))', () => {
    const want = createHash('sha256').update('tokenreceiverflux-system').digest('hex');
    expect(webhookPathFor('token', 'receiver', 'flux-system')).toBe(`/hook/${want}`);
    expect(webhookPathFor('', 'receiver', 'flux-system')).toBe(
      `/hook/${createHash('sha256').update('receiverflux-system').digest('hex')}`,
    );
  });
});

describe('reconcileWebhookPath', () => {
  it('publishes the path of the Secret token', async () => {
    const c = new FakeCluster().add(secret('default', 'webhook-token'));
    const obj = receiver({ type: 'github' });
    const st = state();
    await reconciler(c).reconcileWebhookPath(obj, st);
    expect(obj.status?.webhookPath).toBe(webhookPathFor(testToken, 'r', 'default'));
    expect(st.webhookPath).toBe(obj.status?.webhookPath);
  });

  it('needs no Secret for generic-oidc', async () => {
    const obj = receiver({ type: 'generic-oidc' });
    await reconciler(new FakeCluster()).reconcileWebhookPath(obj, state());
    expect(obj.status?.webhookPath).toBe(webhookPathFor('', 'r', 'default'));
  });

  it.each([
    ['a missing Secret', new FakeCluster(), /^unable to read token from secret 'default\/webhook-token' error: /],
    [
      'a Secret without token',
      new FakeCluster().add(secret('default', 'webhook-token', { other: 'x' })),
      /^invalid 'default\/webhook-token' secret data: required fields 'token'$/,
    ],
  ])('turns %s into TokenNotFound and clears the path', async (_n, c, message) => {
    const obj = readyReceiver('r', { type: 'generic' });
    const err = await reconciler(c)
      .reconcileWebhookPath(obj, state())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(GenericError);
    expect((err as GenericError).reason).toBe('TokenNotFound');
    expect((err as GenericError).message).toMatch(message);
    expect(obj.status?.webhookPath).toBeUndefined();
  });
});

describe('validateSpec', () => {
  const oidc = (p: Record<string, unknown>) => ({ issuerURL: 'https://token.actions.githubusercontent.com', ...p });
  it.each([
    ['resourceFilter', { type: 'generic', resourceFilter: 'res.metadata.name ==' }, 'InvalidCELExpression'],
    [
      'resources[].filter',
      { type: 'generic', resources: [{ kind: 'GitRepository', name: 'a', filter: '(((' }] },
      'InvalidCELExpression',
    ],
    [
      'duplicate issuers',
      {
        type: 'generic-oidc',
        oidcProviders: [
          oidc({ validations: [{ expression: 'true', message: 'm' }] }),
          oidc({ validations: [{ expression: 'true', message: 'm' }] }),
        ],
      },
      'ValidationFailed',
    ],
    ['no validations', { type: 'generic-oidc', oidcProviders: [oidc({ validations: [] })] }, 'ValidationFailed'],
    [
      'a validation that does not parse',
      { type: 'generic-oidc', oidcProviders: [oidc({ validations: [{ expression: 'claims.', message: 'm' }] })] },
      'InvalidCELExpression',
    ],
  ] as const)('stalls on %s', async (_n, spec, reason) => {
    const err = await reconciler(new FakeCluster())
      .validateSpec(receiver(spec as never))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(StallingError);
    expect((err as StallingError).reason).toBe(reason);
    expect((err as StallingError).message).toMatch(/^Reconciliation failed terminally due to configuration error: /);
  });

  it('accepts valid filters and providers', async () => {
    const spec = {
      type: 'generic-oidc',
      resourceFilter: "res.metadata.name == 'a'",
      oidcProviders: [
        oidc({ variables: [{ name: 'v', expression: '1' }], validations: [{ expression: 'true', message: 'm' }] }),
      ],
    };
    await expect(reconciler(new FakeCluster()).validateSpec(receiver(spec as never))).resolves.toBeDefined();
  });
});

describe('OIDCClaimsProcessor', () => {
  beforeAll(loadReceiverCel);

  it('runs the variables in order and joins the failing validation messages', () => {
    const p = new OIDCClaimsProcessor({
      variables: [
        { name: 'owner', expression: 'claims.repository.split("/")[0]' },
        { name: 'isOrg', expression: "vars.owner == 'my-org'" },
      ],
      validations: [
        { expression: 'vars.isOrg', message: 'wrong owner' },
        { expression: "claims.ref == 'refs/heads/main'", message: 'wrong ref' },
      ],
    });
    expect(() => p.evaluate({ repository: 'my-org/app', ref: 'refs/heads/main' })).not.toThrow();
    expect(() => p.evaluate({ repository: 'other/app', ref: 'refs/heads/dev' })).toThrow(
      'token validation failed: wrong owner; wrong ref',
    );
  });
});
