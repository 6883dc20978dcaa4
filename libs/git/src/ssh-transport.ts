import type { Client, ClientChannel } from 'ssh2';
import { loadSsh2 } from './lazy-modules.ts';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { AuthenticationError, GitError, NotFoundError, UnknownHostKeyError } from './errors.ts';
import { knownHostsMatch, knownHostsName } from './known-hosts.ts';

/** Options for {@link sshHttpClient}. */
export interface SshTransportOptions {
  host: string;
  port: number;
  username: string;
  /** Repository path on the server (URL path, percent-decoded). */
  path: string;
  identity: string;
  passphrase?: string;
  knownHosts: string;
  signal?: AbortSignal;
}

/** An isomorphic-git HTTP client that speaks git's smart protocol over SSH, and its connection's closer. */
export interface SshHttpClient {
  client: HttpClient;
  close(): void;
}

function pkt(line: string): Buffer {
  const body = Buffer.from(line);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

function quote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

/** Reads a channel's output in order, letting the caller take the ref advertisement then stream the rest. */
class ChannelReader {
  private buf = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  private ended = false;
  constructor(channel: ClientChannel) {
    this.it = (channel as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const { value, done } = await this.it.next();
    if (done) {
      this.ended = true;
      return false;
    }
    this.buf = Buffer.concat([this.buf, value]);
    return true;
  }
  /** Returns the pkt-lines up to and including the first flush-pkt (`0000`), or null at EOF. */
  async readAdvertisement(): Promise<Buffer | null> {
    let pos = 0;
    for (;;) {
      while (this.buf.length < pos + 4) if (!(await this.fill())) return null;
      const len = Number.parseInt(this.buf.subarray(pos, pos + 4).toString(), 16);
      if (Number.isNaN(len)) throw new GitError('ssh transport: malformed pkt-line in ref advertisement');
      if (len === 0) {
        const adv = this.buf.subarray(0, pos + 4);
        this.buf = this.buf.subarray(pos + 4);
        return adv;
      }
      while (this.buf.length < pos + len) if (!(await this.fill())) return null;
      pos += len;
    }
  }
  /** Everything after what was read so far, until the channel ends. */
  async *rest(): AsyncGenerator<Uint8Array> {
    if (this.buf.length) yield this.buf;
    this.buf = Buffer.alloc(0);
    while (!this.ended) {
      const { value, done } = await this.it.next();
      if (done) break;
      yield value;
    }
  }
}

function stderrError(stderr: string, path: string, service = 'git-upload-pack'): GitError {
  const msg = stderr.trim().split('\n').pop() ?? '';
  if (/does not appear to be a git repository|not found|No such file/i.test(msg))
    return new NotFoundError(`repository '${path}' not found: ${msg}`);
  return new GitError(`${service} failed: ${msg || 'no output'}`);
}

/** The git services the SSH transport runs. */
type Service = 'git-upload-pack' | 'git-receive-pack';

/**
 * Builds an isomorphic-git `http` client that maps isomorphic-git's smart-HTTP requests (`GET info/refs`,
 * `POST git-upload-pack` / `git-receive-pack`, protocol v0/v1) onto `git-upload-pack '<path>'` (or
 * `git-receive-pack`) exec channels of one ssh2 connection: stateless-RPC emulation where every request runs a
 * fresh service. The host key must match `knownHosts`.
 * Hand-written because no maintained npm package bridges ssh2 to isomorphic-git.
 */
export function sshHttpClient(opts: SshTransportOptions): SshHttpClient {
  let conn: Promise<Client> | undefined;
  let client: Client | undefined;
  // Aborting (spec.timeout) at any point tears the connection down; pending reads then end and fail.
  opts.signal?.addEventListener('abort', () => client?.end(), { once: true });
  const connect = (): Promise<Client> => {
    if (conn) return conn;
    // ssh2 is imported on the first connection (lazy-modules.ts)
    conn = loadSsh2().then(
      (ssh2) =>
        new Promise<Client>((resolve, reject) => {
          const parsed = ssh2.utils.parseKey(opts.identity, opts.passphrase);
          if (parsed instanceof Error) {
            reject(new AuthenticationError('failed to parse ssh identity (wrong passphrase or invalid key)'));
            return;
          }
          const c = new ssh2.Client();
          client = c;
          let hostKeyRejected = false;
          const onAbort = (): void => {
            c.end();
            reject(opts.signal?.reason ?? new Error('aborted'));
          };
          opts.signal?.addEventListener('abort', onAbort, { once: true });
          c.once('ready', () => {
            opts.signal?.removeEventListener('abort', onAbort);
            resolve(c);
          });
          c.once('error', (err: Error & { level?: string }) => {
            opts.signal?.removeEventListener('abort', onAbort);
            if (hostKeyRejected)
              reject(
                new UnknownHostKeyError(
                  `ssh: host key verification failed: no known_hosts entry matches the key of ${knownHostsName(opts.host, opts.port)}`,
                ),
              );
            else if (err.level === 'client-authentication')
              reject(
                new AuthenticationError(`ssh: unable to authenticate as '${opts.username}': all key methods failed`),
              );
            else
              reject(new GitError(`ssh: failed to connect to ${knownHostsName(opts.host, opts.port)}: ${err.message}`));
          });
          c.connect({
            host: opts.host,
            port: opts.port,
            username: opts.username,
            privateKey: opts.identity,
            ...(opts.passphrase ? { passphrase: opts.passphrase } : {}),
            readyTimeout: 20_000,
            hostVerifier: (key: Buffer): boolean => {
              const ok = knownHostsMatch(opts.knownHosts, opts.host, opts.port, key);
              if (!ok) hostKeyRejected = true;
              return ok;
            },
          });
        }),
    );
    return conn;
  };

  const exec = async (
    service: Service,
  ): Promise<{
    channel: ClientChannel;
    reader: ChannelReader;
    stderr: () => string;
    closed: Promise<unknown>;
  }> => {
    const c = await connect();
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      c.exec(`${service} ${quote(opts.path)}`, (err, ch) => (err ? reject(err) : resolve(ch))),
    );
    const closed = new Promise((resolve) => channel.once('close', resolve));
    let stderr = '';
    channel.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    return { channel, reader: new ChannelReader(channel), stderr: () => stderr, closed };
  };

  const request = async (req: GitHttpRequest): Promise<GitHttpResponse> => {
    const u = new URL(req.url);
    const method = req.method ?? 'GET';
    // Pushes (receive-pack) run the same stateless emulation as fetches: a fresh exec per request.
    const service: Service =
      u.searchParams.get('service') === 'git-receive-pack' || u.pathname.endsWith('/git-receive-pack')
        ? 'git-receive-pack'
        : 'git-upload-pack';
    const { channel, reader, stderr, closed } = await exec(service);
    const adv = await reader.readAdvertisement();
    if (!adv) {
      channel.end();
      await closed;
      throw stderrError(stderr(), opts.path, service);
    }
    if (method === 'GET' && u.pathname.endsWith('/info/refs')) {
      channel.end(Buffer.from('0000')); // no wants / no commands: the service exits
      const body = Buffer.concat([pkt(`# service=${service}\n`), Buffer.from('0000'), adv]);
      return {
        url: req.url,
        method,
        statusCode: 200,
        statusMessage: 'OK',
        headers: { 'content-type': `application/x-${service}-advertisement` },
        body: (async function* () {
          yield body;
        })(),
      };
    }
    if (method === 'POST' && u.pathname.endsWith(`/${service}`)) {
      if (req.body) for await (const chunk of req.body) channel.write(chunk);
      channel.end();
      return {
        url: req.url,
        method,
        statusCode: 200,
        statusMessage: 'OK',
        headers: { 'content-type': `application/x-${service}-result` },
        body: reader.rest(),
      };
    }
    channel.close();
    return {
      url: req.url,
      method,
      statusCode: 404,
      statusMessage: 'Not Found',
      headers: {},
      body: (async function* () {})(),
    };
  };

  return {
    client: { request },
    close: () => client?.end(),
  };
}
