import { describe, expect, it } from 'vitest';
import { errMessage } from './err-message.ts';

describe('errMessage', () => {
  it('is the message of an Error and the string form of anything else', () => {
    expect(errMessage(new TypeError('boom'))).toBe('boom');
    expect(errMessage('plain')).toBe('plain');
    expect(errMessage(42)).toBe('42');
    expect(errMessage(undefined)).toBe('undefined');
  });
});
