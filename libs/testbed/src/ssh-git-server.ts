import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { run } from './exec.ts';
import { freePort } from './port.ts';

/** An OpenSSH key pair generated with ssh-keygen. */
export interface SshKeyPair {
  /** OpenSSH private key (PEM-like text). */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment` line. */
  publicKey: string;
}

/** Generates an ed25519 key pair with `ssh-keygen` into `dir` (files `<name>` and `<name>.pub`). */
export async function sshKeyPair(dir: string, name: string, passphrase = ''): Promise<SshKeyPair> {
  const file = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
  return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
}

/** An SSH key for signing commits and tags with `gpg.format=ssh` (git runs `ssh-keygen -Y sign`). */
export interface SshSigningKey extends AsyncDisposable {
  /** Path of the private key file (git's `user.signingkey`). */
  readonly privateKeyPath: string;
  /** `ssh-ed25519 AAAA… comment`: the content of a `*.sshpub` entry in a verify Secret. */
  readonly publicKey: string;
  close(): Promise<void>;
}

/** Generates an ed25519 SSH signing key (no passphrase) in a fresh temp dir. */
export async function sshSigningKey(): Promise<SshSigningKey> {
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-sshsign-'));
  const pair = await sshKeyPair(dir, 'signing');
  const close = async (): Promise<void> => rmSync(dir, { recursive: true, force: true });
  return { privateKeyPath: join(dir, 'signing'), publicKey: pair.publicKey, close, [Symbol.asyncDispose]: close };
}

/** Options for {@link startSshGitServer}. */
export interface SshGitServerOptions {
  /** Directory holding the bare repositories; URLs use absolute paths under it. */
  root: string;
  /** Encrypt the generated client identity with this passphrase. */
  identityPassphrase?: string;
}

/** A running sshd serving git over SSH. */
export interface SshGitServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  /** The login user (the account sshd runs as). */
  readonly user: string;
  /** The client's private key (authorized on the server). */
  readonly identity: string;
  readonly identityPublicKey: string;
  /** A known_hosts line for this server: `[127.0.0.1]:<port> ssh-ed25519 …`. */
  readonly knownHosts: string;
  /** `ssh://<user>@127.0.0.1:<port><root>/<name>.git`. */
  url(name: string): string;
  close(): Promise<void>;
}

/** Resolves when something on the port sends an SSH banner; rejects when the process exits first or on timeout. */
async function waitForBanner(port: number, child: ChildProcess, logs: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`failed to start sshd: exited with ${child.exitCode}: ${logs()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`failed to start sshd: no banner on port ${port}: ${logs()}`);
}

/**
 * Starts Debian's OpenSSH server (`/usr/sbin/sshd -D -e -f cfg`) on a free 127.0.0.1 port with a generated ed25519
 * host key and client identity (testbed.md §3). Needs openssh-server (tools/testbed/install.sh) and root (for /run/sshd).
 */
export async function startSshGitServer(opts: SshGitServerOptions): Promise<SshGitServer> {
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-sshd-'));
  const host = await sshKeyPair(dir, 'hostkey');
  const client = await sshKeyPair(dir, 'client', opts.identityPassphrase ?? '');
  writeFileSync(join(dir, 'authorized_keys'), client.publicKey + '\n');
  mkdirSync('/run/sshd', { recursive: true });
  const user = userInfo().username;
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const cfg = join(dir, 'sshd_config');
    writeFileSync(
      cfg,
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${join(dir, 'hostkey')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'AcceptEnv GIT_PROTOCOL',
        '',
      ].join('\n'),
    );
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    // Do not leave sshd behind when the test process exits without calling close().
    const killOnExit = (): void => {
      child.kill();
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    let log = '';
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    try {
      await waitForBanner(port, child, () => log);
    } catch (err) {
      child.kill();
      if (attempt < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const [type, blob] = host.publicKey.split(' ');
    const close = async (): Promise<void> => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    };
    return {
      host: '127.0.0.1',
      port,
      user,
      identity: client.privateKey,
      identityPublicKey: client.publicKey,
      knownHosts: `[127.0.0.1]:${port} ${type} ${blob}\n`,
      url: (name) => `ssh://${user}@127.0.0.1:${port}${join(opts.root, `${name}.git`)}`,
      close,
      [Symbol.asyncDispose]: close,
    };
  }
}
