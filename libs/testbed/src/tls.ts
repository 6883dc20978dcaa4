import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './exec.ts';

/** A PEM certificate and key; for a CA-signed server certificate `ca` is the CA certificate clients trust. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** The CA certificate that signed `cert` (the content of a Secret's `ca.crt`). */
  ca: string;
}

/**
 * Generates with the openssl CLI a throw-away CA and a certificate it signs for `127.0.0.1`/`localhost`
 * (usable as server or client certificate).
 */
export async function tlsCertificate(commonName = '127.0.0.1'): Promise<TlsMaterial> {
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-tls-'));
  try {
    const f = (n: string): string => join(dir, n);
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=flux-ts test CA',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
    ]);
    await run('openssl', [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${commonName}`,
      '-keyout',
      f('leaf.key'),
      '-out',
      f('leaf.csr'),
    ]);
    writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      f('leaf.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f('ext.cnf'),
      '-out',
      f('leaf.crt'),
    ]);
    return {
      cert: readFileSync(f('leaf.crt'), 'utf8'),
      key: readFileSync(f('leaf.key'), 'utf8'),
      ca: readFileSync(f('ca.crt'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
