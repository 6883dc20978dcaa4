import { describe, expect, it } from 'vitest';
import { splitCommitSignature } from './checkout.ts';

describe('splitCommitSignature', () => {
  it('removes the gpgsig header wherever it is and returns its value', () => {
    const raw = [
      'tree ' + 'a'.repeat(40),
      'author A <a@x> 1 +0000',
      'committer A <a@x> 1 +0000',
      'gpgsig -----BEGIN SSH SIGNATURE-----',
      ' U1NIU0lH',
      ' -----END SSH SIGNATURE-----',
      'encoding UTF-8',
      '',
      'message',
      '',
    ].join('\n');
    const { payload, signature } = splitCommitSignature(raw);
    expect(signature).toBe('-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n');
    expect(payload).toBe(
      [
        'tree ' + 'a'.repeat(40),
        'author A <a@x> 1 +0000',
        'committer A <a@x> 1 +0000',
        'encoding UTF-8',
        '',
        'message',
        '',
      ].join('\n'),
    );
  });

  it('leaves unsigned commits untouched', () => {
    const raw = 'tree x\nauthor A <a@x> 1 +0000\n\nmsg\n';
    expect(splitCommitSignature(raw)).toEqual({ payload: raw });
  });
});
