import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './exec.ts';

/** A generated GPG signing key in its own GNUPGHOME. */
export interface GpgKey extends AsyncDisposable {
  /** The GNUPGHOME holding the secret key. */
  readonly home: string;
  readonly fingerprint: string;
  /** ASCII-armored public key, the content of a `*.asc` entry in a verify Secret. */
  readonly armoredPublicKey: string;
  /** Stops gpg-agent and removes the GNUPGHOME (unless it was given). */
  close(): Promise<void>;
}

/** Options for {@link gpgKey}. */
export interface GpgKeyOptions {
  /** Parent directory for the GNUPGHOME; a fresh temp dir when unset. */
  dir?: string;
  /** User id, default `Flux Test <flux@test.invalid>`. */
  uid?: string;
}

/** Generates an ed25519 signing key without passphrase with the gpg CLI (testbed.md §6). */
export async function gpgKey(opts: GpgKeyOptions = {}): Promise<GpgKey> {
  const parent = opts.dir ?? mkdtempSync(join(tmpdir(), 'flux-ts-gpg-'));
  mkdirSync(parent, { recursive: true });
  const home = mkdtempSync(join(parent, 'gnupg-'));
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  const uid = opts.uid ?? 'Flux Test <flux@test.invalid>';
  await run(
    'gpg',
    ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', 'never'],
    {
      env,
    },
  );
  const listing = await run('gpg', ['--batch', '--list-secret-keys', '--with-colons'], { env });
  const fpr = listing
    .split('\n')
    .find((l) => l.startsWith('fpr:'))
    ?.split(':')[9];
  if (!fpr) throw new Error('failed to generate gpg key: no fingerprint listed');
  const armoredPublicKey = await run('gpg', ['--batch', '--armor', '--export', fpr], { env });
  const close = async (): Promise<void> => {
    await run('gpgconf', ['--homedir', home, '--kill', 'all'], { env }).catch(() => undefined);
    rmSync(opts.dir ? home : parent, { recursive: true, force: true });
  };
  return { home, fingerprint: fpr, armoredPublicKey, close, [Symbol.asyncDispose]: close };
}
