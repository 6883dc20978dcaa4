import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, nkeys } from '@nats-io/transport-node';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { createNotifier } from '../factory.ts';
import { rejection, settings, signal, testEvent } from './incident-shared.spec-helper.ts';

// The real peer: Debian's nats-server (apt package `nats-server`), on a random loopback port.
const NATS_SERVER = '/usr/sbin/nats-server';

interface Server {
  url: string;
  proc: ChildProcess;
  dir: string;
}

async function startNatsServer(config: string): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'nats-'));
  const conf = join(dir, 'nats.conf');
  writeFileSync(conf, config);
  const proc = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', '-1', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let port = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      port ||= /Listening for client connections on [\d.]+:(\d+)/.exec(out)?.[1] ?? '';
      if (port && out.includes('Server is ready')) resolve(`nats://127.0.0.1:${port}`);
    };
    proc.stderr!.on('data', onData);
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${out}`)));
    proc.once('error', reject);
  });
  return { url, proc, dir };
}

async function stop(s: Server | undefined): Promise<void> {
  if (!s) return;
  if (s.proc.exitCode === null) {
    const exited = new Promise((r) => s.proc.once('exit', r));
    s.proc.kill('SIGTERM');
    await exited;
  }
  rmSync(s.dir, { recursive: true, force: true });
}

async function firstMessage(sub: Subscription): Promise<string> {
  for await (const m of sub) return m.string();
  throw new Error('subscription closed');
}

describe('nats against nats-server', { timeout: 30_000 }, () => {
  const user = nkeys.createUser();
  const seed = new TextDecoder().decode(user.getSeed());
  let server: Server | undefined;
  let admin: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer(
      `authorization {\n  users = [\n    { user: "admin", password: "adminpw" }\n    { user: "flux", password: "s3cr3t-pw" }\n    { nkey: "${user.getPublicKey()}" }\n  ]\n}\n`,
    );
    admin = await connect({ servers: server.url, user: 'admin', pass: 'adminpw' });
  }, 30_000);

  afterAll(async () => {
    await admin?.close();
    await stop(server);
  });

  it('publishes the event to the subject with user/password', async () => {
    const sub = admin.subscribe('flux.events', { max: 1 });
    await admin.flush();
    const got = firstMessage(sub);
    const n = createNotifier(
      settings('nats', { address: server!.url, channel: 'flux.events', username: 'flux', password: 's3cr3t-pw' }),
    );
    await n.post(testEvent({ severity: 'error', message: 'apply failed' }), signal());
    const msg = JSON.parse(await got) as { severity: string; message: string; involvedObject: { name: string } };
    expect(msg).toMatchObject({ severity: 'error', message: 'apply failed', involvedObject: { name: 'webapp' } });
  });

  it('authenticates with an nkey seed from the Secret', async () => {
    const sub = admin.subscribe('flux.nkey', { max: 1 });
    await admin.flush();
    const got = firstMessage(sub);
    const n = createNotifier(
      settings('nats', { address: server!.url, channel: 'flux.nkey', secretData: { nkey: seed } }),
    );
    await n.post(testEvent(), signal());
    expect(JSON.parse(await got)).toMatchObject({ reason: 'reason' });
  });

  it('fails on bad credentials without the password or address credentials in the error', async () => {
    const address = server!.url.replace('nats://', 'nats://flux:wr0ng-pw@');
    const n = createNotifier(settings('nats', { address, channel: 'flux.events' }));
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err.message).toMatch(/^error publishing event to subject flux\.events: error connecting to server: /);
    expect(err.message).not.toContain('wr0ng-pw');
  });
});
