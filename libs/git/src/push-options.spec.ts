import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.ts';
import { advertisedCapabilities, formatPushOptions, insertPushOptions } from './push-options.ts';

const pkt = (s: string): string => (s.length + 4).toString(16).padStart(4, '0') + s;
const OLD = '0'.repeat(40);
const NEW = 'a'.repeat(40);

describe('push options', () => {
  it('formats the map as go-git does (key=value, empty value gives key=), in key order', () => {
    expect(formatPushOptions({ 'merge_request.create': '', 'ci.variable': 'A=1' })).toEqual([
      'ci.variable=A=1',
      'merge_request.create=',
    ]);
    expect(() => formatPushOptions({ a: 'x\ny' })).toThrow(InvalidInputError);
  });

  it('reads the capabilities of a smart-HTTP receive-pack advertisement', () => {
    const adv = Buffer.from(
      pkt('# service=git-receive-pack\n') +
        '0000' +
        pkt(`${NEW} refs/heads/main\0report-status push-options side-band-64k\n`) +
        '0000',
    );
    expect(advertisedCapabilities(adv)).toEqual(['report-status', 'push-options', 'side-band-64k']);
  });

  it('adds the capability to the first command and the options after the command list', () => {
    const pack = Buffer.from('PACK\x00\x00\x00\x02rest', 'latin1');
    const body = Buffer.concat([
      Buffer.from(pkt(`${OLD} ${NEW} refs/heads/a\0 report-status\n`) + pkt(`${OLD} ${NEW} refs/heads/b\n`) + '0000'),
      pack,
    ]);
    expect(insertPushOptions(body, ['ci.skip=', 'k=v']).toString('latin1')).toBe(
      pkt(`${OLD} ${NEW} refs/heads/a\0 report-status push-options\n`) +
        pkt(`${OLD} ${NEW} refs/heads/b\n`) +
        '0000' +
        pkt('ci.skip=') +
        pkt('k=v') +
        '0000' +
        pack.toString('latin1'),
    );
  });
});
