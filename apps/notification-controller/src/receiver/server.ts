/**
 * The webhook receiver server (notification-controller `receiver_server.go` + `receiver_handlers.go`) as a Fastify
 * instance that is not listening (`main` listens on `--receiverAddr`, tests use `inject()`): `POST /hook/<digest>`
 * looks the Receiver up by `status.webhookPath` through the cache index (404), refuses a suspended or not Ready one
 * (503), caps the body at 3 MiB (413), runs the type's check over the raw body (400), then requests the
 * reconciliation of the matching `spec.resources` (200; 500 when one of them failed).
 */
import { fastify } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { createRemoteJWKSet } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { ReceiverWebhookPath } from '@flux-ts/api';
import { conditions, errMessage } from '@flux-ts/runtime';
import type { KubeObject, Logger, ObjectReader } from '@flux-ts/runtime';
import { compileBoolExpression, loadReceiverCel } from './cel.ts';
import type { BoolExpression } from './cel.ts';
import type { ReceiverObject } from './reconciler.ts';
import { requestReconciliation } from './resources.ts';
import type { ReceiverResource, ResourcePatcher, ResourcePredicate, ResourceReader } from './resources.ts';
import { GoogleCertsURL, newOIDCDiscovery } from './tokens.ts';
import type { OIDCDiscovery } from './tokens.ts';
import { header, validateReceiverRequest } from './validate.ts';
import type { RequestHeaders } from './validate.ts';

/** The largest body a webhook may send (upstream `maxRequestSizeBytes`). */
export const MaxReceiverRequestBytes = 3 * 1024 * 1024;

/** How long one request may take (informer syncs, Secret reads, patches) before it is abandoned. */
export const ReceiverRequestTimeoutMs = 30_000;

/** Finds the Receiver of a webhook path (the cache's field index). */
export interface ReceiverLookup {
  byWebhookPath(path: string, signal?: AbortSignal): Promise<ReceiverObject[]>;
}

/** What {@link buildReceiverServer} serves from. */
export interface ReceiverServerDeps {
  receivers: ReceiverLookup;
  /** Objects to annotate, by name or labels (the informer cache). */
  resources: ResourceReader;
  /** Patches the annotation (the Kubernetes client). */
  patcher: ResourcePatcher;
  /** Reads the Receivers' Secrets (the Kubernetes client). */
  secrets: ObjectReader;
  log: Logger;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs?: boolean | undefined;
  /** The clock of `reconcile.fluxcd.io/requestedAt` (default `new Date()`). */
  now?: (() => Date) | undefined;
  /** Google's ID-token keys for `gcr` (default: fetched from {@link GoogleCertsURL}). */
  gcrKeys?: JWTVerifyGetKey | undefined;
  /** OIDC discovery for `generic-oidc` (default: `<issuer>/.well-known/openid-configuration`). */
  oidcDiscovery?: OIDCDiscovery | undefined;
}

const hookParams = {
  type: 'object',
  properties: { digest: { type: 'string', minLength: 1 } },
  required: ['digest'],
} as const;

const emptyResponses = {
  200: { type: 'null' },
  400: { type: 'null' },
  404: { type: 'null' },
  413: { type: 'null' },
  500: { type: 'null' },
  503: { type: 'null' },
} as const;

/** Go's `mime.ParseMediaType` check upstream's `isJSONContent` does over a comma-separated Content-Type. */
function isJSONContent(headers: RequestHeaders): boolean {
  for (const v of header(headers, 'Content-Type').split(',')) {
    const t = v.split(';')[0]!.trim().toLowerCase();
    if (t === '' || !t.includes('/')) break;
    if (t === 'application/json') return true;
  }
  return false;
}

/** The CEL filters of a request: `spec.resourceFilter` and the entry's `filter`, over `res`, `req` and `claims`. */
function resourcePredicate(
  receiver: ReceiverObject,
  body: Buffer,
  headers: RequestHeaders,
  claims: unknown,
): ResourcePredicate {
  const global = receiver.spec.resourceFilter ? compileBoolExpression(receiver.spec.resourceFilter) : undefined;
  const perResource = new Map<string, BoolExpression>();
  let req: unknown;
  let reqDecoded = false;
  const decodeReq = (): unknown => {
    if (reqDecoded) return req;
    // Only a JSON body is decoded for `req`; anything else gives an empty map.
    if (!isJSONContent(headers)) req = {};
    else {
      try {
        req = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new BadRequestError(`failed to parse request body as JSON: ${errMessage(err)}`, { cause: err });
      }
    }
    reqDecoded = true;
    return req;
  };
  if (global) decodeReq();
  return (res: KubeObject, resource: ReceiverResource): boolean => {
    const exprs: BoolExpression[] = [];
    if (global) exprs.push(global);
    if (resource.filter) {
      let e = perResource.get(resource.filter);
      if (!e) {
        e = compileBoolExpression(resource.filter);
        perResource.set(resource.filter, e);
      }
      exprs.push(e);
    }
    if (exprs.length === 0) return true;
    const vars = { res, req: decodeReq(), claims: claims ?? {} };
    return exprs.every((e) => e.evaluate(vars));
  };
}

/** A request the client got wrong, found after the check (an unparsable JSON body the filters need). */
class BadRequestError extends Error {}

/** Builds the receiver server (not listening); see the module comment. */
export function buildReceiverServer(deps: ReceiverServerDeps): FastifyInstance {
  const app = fastify({ logger: false, bodyLimit: MaxReceiverRequestBytes, return503OnClosing: true });
  const log = deps.log.child({ logger: 'receiver-server' });
  const gcrKeys = deps.gcrKeys ?? createRemoteJWKSet(new URL(GoogleCertsURL));
  const oidcDiscovery = deps.oidcDiscovery ?? newOIDCDiscovery();
  const now = deps.now ?? (() => new Date());
  const closing = new AbortController();
  app.addHook('onClose', async () => closing.abort(new Error('receiver server closing')));

  void app.register(async (hooks) => {
    // The checks need the exact bytes: every body is kept raw, whatever its Content-Type.
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MaxReceiverRequestBytes }, (_req, body, done) =>
      done(null, body),
    );
    hooks.post<{ Params: { digest: string } }>(
      `${ReceiverWebhookPath}:digest`,
      { schema: { params: hookParams, response: emptyResponses } },
      async (request, reply) => {
        const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(ReceiverRequestTimeoutMs)]);
        const digest = encodeURIComponent(request.url.slice(ReceiverWebhookPath.length));
        log.info(`handling request: ${digest}`);

        let receiver: ReceiverObject | undefined;
        try {
          [receiver] = await deps.receivers.byWebhookPath(request.url, signal);
        } catch (err) {
          log.error({ err: errMessage(err) }, 'unable to list receivers');
          return reply.code(500).send();
        }
        if (!receiver) return reply.code(404).send();

        const rlog = log.child({
          'reconciler kind': 'Receiver',
          name: receiver.metadata.name,
          namespace: receiver.metadata.namespace ?? '',
        });
        if (receiver.spec.suspend || !conditions.isReady(receiver)) {
          rlog.error(
            { err: 'unable to process request' },
            receiver.spec.suspend ? 'receiver is suspended' : 'receiver is not ready',
          );
          return reply.code(503).send();
        }

        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const headers = request.headers as RequestHeaders;
        let validated;
        try {
          validated = await validateReceiverRequest(receiver, headers, body, {
            secrets: deps.secrets,
            gcrKeys,
            oidcDiscovery,
            log: rlog,
            signal,
          });
        } catch (err) {
          rlog.error({ err: errMessage(err) }, 'unable to validate payload');
          return reply.code(400).send();
        }

        let predicate: ResourcePredicate;
        try {
          const filtered =
            receiver.spec.resourceFilter || receiver.spec.resources.some((r) => (r as { filter?: string }).filter);
          if (filtered) await loadReceiverCel();
          predicate = resourcePredicate(receiver, validated.body, headers, validated.claims);
        } catch (err) {
          rlog.error({ err: errMessage(err) }, 'unable to create resource filter');
          return reply.code(err instanceof BadRequestError ? 400 : 500).send();
        }

        const namespace = receiver.metadata.namespace ?? '';
        let withErrors = false;
        for (const resource of receiver.spec.resources ?? []) {
          try {
            await requestReconciliation(
              {
                reader: deps.resources,
                patcher: deps.patcher,
                log: rlog,
                noCrossNamespaceRefs: deps.noCrossNamespaceRefs ?? false,
                now,
                signal,
              },
              resource as ReceiverResource,
              namespace,
              predicate,
            );
          } catch (err) {
            rlog.error(
              {
                err: errMessage(err),
                resource: { kind: resource.kind, name: resource.name, namespace: resource.namespace },
              },
              'unable to request reconciliation',
            );
            withErrors = true;
          }
        }
        return reply.code(withErrors ? 500 : 200).send();
      },
    );
  });
  return app;
}
