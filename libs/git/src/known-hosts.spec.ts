import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { knownHostsMatch } from './known-hosts.ts';

const key = randomBytes(51);
const other = randomBytes(51);

describe('knownHostsMatch', () => {
  it('matches plain entries by host and port', () => {
    const kh = `# comment\ngithub.com,140.82.121.4 ssh-ed25519 ${key.toString('base64')}\n[127.0.0.1]:2222 ssh-ed25519 ${key.toString('base64')}\n`;
    expect(knownHostsMatch(kh, 'github.com', 22, key)).toBe(true);
    expect(knownHostsMatch(kh, '140.82.121.4', 22, key)).toBe(true);
    expect(knownHostsMatch(kh, '127.0.0.1', 2222, key)).toBe(true);
    expect(knownHostsMatch(kh, '127.0.0.1', 22, key)).toBe(false);
    expect(knownHostsMatch(kh, 'github.com', 22, other)).toBe(false);
  });

  it('matches hashed entries and ignores markers', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[10.0.0.1]:2022').digest('base64');
    const kh = `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${key.toString('base64')}\n@revoked * ssh-ed25519 ${other.toString('base64')}`;
    expect(knownHostsMatch(kh, '10.0.0.1', 2022, key)).toBe(true);
    expect(knownHostsMatch(kh, '10.0.0.2', 2022, key)).toBe(false);
    expect(knownHostsMatch(kh, '10.0.0.1', 2022, other)).toBe(false);
  });
});
