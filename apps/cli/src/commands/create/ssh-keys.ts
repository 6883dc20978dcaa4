import { generateKeyPairSync } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';

const { Client, utils } = ssh2;

/** The key algorithms of `--ssh-key-algorithm`. */
export type SshKeyAlgorithm = 'rsa' | 'ecdsa' | 'ed25519';
/** The curves of `--ssh-ecdsa-curve`. */
export type EcdsaCurve = 'p256' | 'p384' | 'p521';

const CURVES: Record<EcdsaCurve, { node: string; ssh: string }> = {
  p256: { node: 'prime256v1', ssh: 'nistp256' },
  p384: { node: 'secp384r1', ssh: 'nistp384' },
  p521: { node: 'secp521r1', ssh: 'nistp521' },
};

/** A generated key pair: the PEM private key and the `authorized_keys` line (with its newline). */
export interface SshKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

const sshString = (b: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};

const mpint = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return sshString((v[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
};

const b64url = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64url');

/**
 * Generates a key pair as fluxcd/pkg/ssh does: RSA as PKCS#1 PEM, ECDSA as SEC 1 PEM, Ed25519 as PKCS#8 PEM; the
 * public key as `ssh.MarshalAuthorizedKey` writes it. (The SSH wire blob is a few lines; no npm package generates
 * keys in these PEM forms together with their OpenSSH public key.)
 */
export function generateSshKeyPair(algorithm: SshKeyAlgorithm, rsaBits: number, curve: EcdsaCurve): SshKeyPair {
  if (algorithm === 'rsa') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: rsaBits });
    const jwk = publicKey.export({ format: 'jwk' });
    const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(b64url(jwk.e)), mpint(b64url(jwk.n))]);
    return {
      privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      publicKey: `ssh-rsa ${blob.toString('base64')}\n`,
    };
  }
  if (algorithm === 'ecdsa') {
    const c = CURVES[curve];
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: c.node });
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), b64url(jwk.x), b64url(jwk.y)]);
    const type = `ecdsa-sha2-${c.ssh}`;
    const blob = Buffer.concat([sshString(Buffer.from(type)), sshString(Buffer.from(c.ssh)), sshString(point)]);
    return {
      privateKey: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
      publicKey: `${type} ${blob.toString('base64')}\n`,
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(b64url(jwk.x))]);
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: `ssh-ed25519 ${blob.toString('base64')}\n`,
  };
}

/** The `authorized_keys` line of a private key (OpenSSH or PEM, encrypted with `password` or not). */
export function publicKeyOf(privateKey: string, password?: string): string {
  const parsed = utils.parseKey(privateKey, password);
  const key = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
  if (key instanceof Error || key === undefined)
    throw new Error(`failed to parse private key: ${key instanceof Error ? key.message : 'no key found'}`, {
      cause: key,
    });
  const k = key as ParsedKey;
  return `${k.type} ${k.getPublicSSH().toString('base64')}\n`;
}

/** Reads the host key of an SSH server as a known_hosts line (flux's `ssh.ScanHostKey`). */
export type HostKeyScanner = (host: string, port: number, signal: AbortSignal) => Promise<string>;

/** The known_hosts host field: `host`, or `[host]:port` off port 22 (x/crypto's `knownhosts.Normalize`). */
export function knownHostsAddress(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Connects to the server only to read its host key, preferring Go's x/crypto host key algorithm order. */
export const scanHostKey: HostKeyScanner = (host, port, signal) =>
  new Promise((resolve, reject) => {
    const client = new Client();
    let key: Buffer | undefined;
    const finish = (err?: Error): void => {
      signal.removeEventListener('abort', onAbort);
      client.end();
      if (key !== undefined) {
        const typeLen = key.readUInt32BE(0);
        const type = key.subarray(4, 4 + typeLen).toString();
        resolve(`${knownHostsAddress(host, port)} ${type} ${key.toString('base64')}`);
      } else reject(err ?? new Error(`failed to read the host key of ${host}:${port}`));
    };
    const onAbort = (): void => finish(new Error('context canceled', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    client.on('error', (err) =>
      finish(key === undefined ? new Error(`ssh dial failed: ${err.message}`, { cause: err }) : undefined),
    );
    client.connect({
      host,
      port,
      username: 'git',
      readyTimeout: 30_000,
      algorithms: {
        serverHostKey: [
          'ecdsa-sha2-nistp256',
          'ecdsa-sha2-nistp384',
          'ecdsa-sha2-nistp521',
          'rsa-sha2-512',
          'rsa-sha2-256',
          'ssh-rsa',
          'ssh-ed25519',
        ],
      },
      hostVerifier: (k: Buffer) => {
        key = Buffer.from(k);
        queueMicrotask(() => finish());
        return false;
      },
    });
  });
