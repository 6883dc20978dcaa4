import { generateKeyPairSync } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { NotifierError } from '../types.ts';
import { googleCredentials, googlePubSubPublisher, newGooglePubSubNotifier } from './googlepubsub.ts';
import type { PubSubPublish } from './googlepubsub.ts';
import { rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

const eventJSON =
  '{"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp",' +
  '"apiVersion":"source.toolkit.fluxcd.io/v1"},"severity":"info","timestamp":"2020-01-01T00:00:00Z",' +
  '"message":"message","reason":"reason","metadata":{"test":"metadata"},"reportingController":"source-controller",' +
  '"reportingInstance":"source-controller-xyz"}';

describe('googlepubsub (injected client)', () => {
  it('rejects an empty project or topic', () => {
    expect(thrown(() => newGooglePubSubNotifier(settings('googlepubsub', { channel: 't' }))).message).toBe(
      'GCP project ID cannot be empty',
    );
    expect(thrown(() => newGooglePubSubNotifier(settings('googlepubsub', { address: 'p' }))).message).toBe(
      'GCP Pub/Sub topic ID cannot be empty',
    );
  });

  it('publishes the event JSON with the Secret headers as attributes', async () => {
    const calls: Parameters<PubSubPublish>[0][] = [];
    const publish: PubSubPublish = (m) => {
      calls.push(m);
      return Promise.resolve('1');
    };
    const s = settings('googlepubsub', { address: 'proj', channel: 'topic', headers: { env: 'prod' } });
    await newGooglePubSubNotifier(s, publish).post(testEvent(), signal());
    await newGooglePubSubNotifier({ ...s, headers: {} }, publish).post(testEvent(), signal());
    expect(calls.map((c) => [c.data.toString(), c.attributes])).toEqual([
      [eventJSON, { env: 'prod' }],
      [eventJSON, undefined],
    ]);
  });

  it('names the topic on failure', async () => {
    const publish: PubSubPublish = () => Promise.reject(new Error('permission denied'));
    const n = newGooglePubSubNotifier(settings('googlepubsub', { address: 'proj', channel: 'topic' }), publish);
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err).toBeInstanceOf(NotifierError);
    expect(err.message).toBe('error publishing to GCP Pub/Sub topic projects/proj/topics/topic: permission denied');
  });

  it('rejects a token that is not JSON without quoting it', () => {
    const err = thrown(() => googleCredentials('{not json s3cr3t'));
    expect(err.message).toBe('invalid GCP credentials JSON in the Secret token');
    expect(err.message).not.toContain('s3cr3t');
    expect(googleCredentials('')).toBeUndefined();
  });
});

// No Pub/Sub emulator installs here: a loopback gRPC server implementing google.pubsub.v1.Publisher/Publish
// (from the client's own protos) stands in, so the official client's request is checked on the wire.
describe('googlepubsub with @google-cloud/pubsub against a loopback Publisher', { timeout: 30_000 }, () => {
  interface PublishRequest {
    topic: string;
    messages: { data: Buffer; attributes: Record<string, string> }[];
  }
  const requests: PublishRequest[] = [];
  let server: grpc.Server;
  let port = 0;

  // A service account key, so google-auth-library never looks for a metadata server (it stays on loopback).
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token = JSON.stringify({
    type: 'service_account',
    project_id: 'my-project',
    client_email: 'flux@my-project.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    universe_domain: 'googleapis.com',
  });

  beforeAll(async () => {
    process.env.METADATA_SERVER_DETECTION = 'none';
    const pubsubProtos = join(dirname(fileURLToPath(import.meta.resolve('@google-cloud/pubsub'))), '..', 'protos');
    const gaxProtos = join(dirname(fileURLToPath(import.meta.resolve('google-gax'))), '..', 'protos');
    const def = await protoLoader.load('google/pubsub/v1/pubsub.proto', {
      includeDirs: [pubsubProtos, gaxProtos],
      keepCase: true,
      defaults: true,
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      google: { pubsub: { v1: { Publisher: { service: grpc.ServiceDefinition } } } };
    };
    server = new grpc.Server();
    server.addService(pkg.google.pubsub.v1.Publisher.service, {
      Publish: (
        call: grpc.ServerUnaryCall<PublishRequest, unknown>,
        cb: grpc.sendUnaryData<{ message_ids: string[] }>,
      ) => {
        requests.push(call.request);
        if (call.request.topic.endsWith('/missing')) cb({ code: grpc.status.NOT_FOUND, details: 'Topic not found' });
        else cb(null, { message_ids: [String(requests.length)] });
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
  });

  afterAll(() => server?.forceShutdown());

  const client = () => ({ apiEndpoint: `127.0.0.1:${port}`, emulatorMode: true });

  it('publishes the event to projects/<address>/topics/<channel>', async () => {
    const s = settings('googlepubsub', {
      address: 'my-project',
      channel: 'flux',
      token,
      headers: { cluster: 'dev' },
    });
    await newGooglePubSubNotifier(s, googlePubSubPublisher(s, client())).post(testEvent(), signal());
    const r = requests.at(-1)!;
    expect(r.topic).toBe('projects/my-project/topics/flux');
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]!.data.toString()).toBe(eventJSON);
    expect(r.messages[0]!.attributes).toEqual({ cluster: 'dev' });
  });

  it('reports the server error with the topic', async () => {
    const s = settings('googlepubsub', { address: 'my-project', channel: 'missing', token });
    const err = await rejection(
      newGooglePubSubNotifier(s, googlePubSubPublisher(s, client())).post(testEvent(), signal()),
    );
    expect(err.message).toMatch(
      /^error publishing to GCP Pub\/Sub topic projects\/my-project\/topics\/missing: .*Topic not found/,
    );
  });
});
