/**
 * The notification side of the embedded demo: the Receiver that a push to the demo repository calls (a GitHub-style
 * push webhook, HMAC-signed over the raw body, as GitHub sends it), and an Alert to a generic Provider whose sink
 * appends each event to `.flux-ts/logs/alerts.log`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { KubeClient } from '@flux-ts/runtime';
import type { Manifest } from './embedded.ts';

/** The demo Receiver, its token Secret, the Alert and its Provider, all in flux-system. */
export const DEMO_NOTIFICATION = {
  namespace: 'flux-system',
  receiver: 'demo',
  tokenSecret: 'demo-webhook-token',
  provider: 'demo-log',
  alert: 'demo',
} as const;

/** The webhook token kept in the state directory, so the Receiver's path survives restarts. */
export function persistentWebhookToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The Receiver (GitHub push → the demo GitRepository), the Provider, the Alert and the token Secret. */
export function notificationObjects(token: string, alertsUrl: string): Manifest[] {
  const { namespace } = DEMO_NOTIFICATION;
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: DEMO_NOTIFICATION.tokenSecret, namespace },
      stringData: { token },
    },
    {
      apiVersion: 'notification.toolkit.fluxcd.io/v1',
      kind: 'Receiver',
      metadata: { name: DEMO_NOTIFICATION.receiver, namespace },
      spec: {
        type: 'github',
        events: ['ping', 'push'],
        secretRef: { name: DEMO_NOTIFICATION.tokenSecret },
        resources: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'demo' }],
      },
    },
    {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Provider',
      metadata: { name: DEMO_NOTIFICATION.provider, namespace },
      spec: { type: 'generic', address: alertsUrl },
    },
    {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Alert',
      metadata: { name: DEMO_NOTIFICATION.alert, namespace },
      spec: {
        providerRef: { name: DEMO_NOTIFICATION.provider },
        eventSeverity: 'info',
        eventSources: [
          { kind: 'GitRepository', name: '*' },
          { kind: 'Kustomization', name: '*' },
          { kind: 'HelmRelease', name: '*' },
        ],
      },
    },
  ];
}

/** A generic Provider's sink: each POSTed event becomes one line of `file`. */
export interface AlertsSink {
  url: string;
  close(): Promise<void>;
}

/** Starts the {@link AlertsSink} on a free loopback port. */
export async function startAlertsSink(file: string): Promise<AlertsSink> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1 << 20) chunks.push(c);
    });
    req.on('end', () => {
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        appendFileSync(file, `${JSON.stringify(event)}\n`);
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Points the demo Provider at this run's sink (its port changes between runs). */
export async function pointProviderAt(client: KubeClient, url: string): Promise<void> {
  await client.patch(
    { apiVersion: 'notification.toolkit.fluxcd.io/v1beta3', kind: 'Provider' },
    { namespace: DEMO_NOTIFICATION.namespace, name: DEMO_NOTIFICATION.provider },
    { spec: { address: url } },
    { type: 'merge' },
  );
}

/**
 * Sends GitHub's push webhook for `after` to the demo Receiver (`X-GitHub-Event: push`, `X-Hub-Signature-256` over
 * the raw body). Resolves with the HTTP status, or undefined while the Receiver has no webhook path yet.
 */
export async function sendPushWebhook(
  client: KubeClient,
  receiverBase: string,
  token: string,
  after: string,
): Promise<number | undefined> {
  const receiver = await client.get<{ status?: { webhookPath?: string } } & Manifest>(
    { apiVersion: 'notification.toolkit.fluxcd.io/v1', kind: 'Receiver' },
    { namespace: DEMO_NOTIFICATION.namespace, name: DEMO_NOTIFICATION.receiver },
  );
  const path = receiver.status?.webhookPath;
  if (!path) return undefined;
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    after,
    repository: { name: 'demo', full_name: 'flux-ts/demo' },
  });
  const signature = `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;
  const res = await fetch(`${receiverBase}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': signature },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return res.status;
}

/** Where the demo keeps its webhook token and its alerts. */
export const notificationFiles = (root: string, logs: string): { token: string; alerts: string } => ({
  token: join(root, 'webhook-token'),
  alerts: join(logs, 'alerts.log'),
});
