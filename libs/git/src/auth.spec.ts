import { describe, expect, it } from 'vitest';
import { authFromSecret, decodeSecretData, secretValues } from './auth.ts';
import { InvalidInputError } from './errors.ts';
import { keysFromSecret } from './verify.ts';

describe('authFromSecret', () => {
  it("reads Flux's keys from decoded or base64 Secret data", () => {
    const data = decodeSecretData({
      username: Buffer.from('flux').toString('base64'),
      password: Buffer.from('pw').toString('base64'),
      'ca.crt': Buffer.from('CA').toString('base64'),
    });
    expect(authFromSecret(data)).toEqual({ username: 'flux', password: 'pw', caCert: 'CA' });
    expect(authFromSecret({ bearerToken: 'tok', caFile: 'CA2' })).toEqual({ bearerToken: 'tok', caCert: 'CA2' });
    expect(authFromSecret({ identity: 'KEY', known_hosts: 'KH', password: 'pass' })).toEqual({
      identity: 'KEY',
      knownHosts: 'KH',
      password: 'pass',
    });
  });

  it('rejects incomplete pairs without echoing values', () => {
    expect(() => authFromSecret({ 'tls.crt': 'CERT-VALUE' })).toThrow(InvalidInputError);
    expect(() => authFromSecret({ identity: 'PRIVATE-KEY' })).toThrow(/'identity' requires 'known_hosts'/);
    expect(() => authFromSecret({ identity: 'PRIVATE-KEY' })).not.toThrow(/PRIVATE-KEY/);
  });

  it('lists secret values for redaction and *.asc/*.sshpub keys for verification', () => {
    expect(secretValues(authFromSecret({ username: 'u', password: 'p', bearerToken: 't' }))).toEqual(['p', 't']);
    expect(
      keysFromSecret({ 'a.asc': 'KEY-A', 'b.asc': Buffer.from('KEY-B'), 'c.sshpub': 'ssh-ed25519 X', d: 'y' }),
    ).toEqual(['KEY-A', 'KEY-B', 'ssh-ed25519 X']);
  });
});
