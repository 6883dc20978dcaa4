import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfinedFs, FS_SECURITY_CONSTRAINT, FsSecurityError } from './confined-fs.ts';

let work: string;
let root: string;
let outside: string;

beforeEach(() => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'confined-fs-')));
  root = join(work, 'root');
  outside = join(work, 'outside');
  mkdirSync(join(root, 'a/b'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'a/file.txt'), 'inside');
  writeFileSync(join(outside, 'secret.txt'), 'host secret');
  symlinkSync('../file.txt', join(root, 'a/b/up-link')); // stays inside
  symlinkSync(join(outside, 'secret.txt'), join(root, 'abs-link')); // leaves
  symlinkSync('../outside', join(root, 'dir-link')); // a directory outside
  symlinkSync(join(root, 'missing-target'), join(root, 'dangling'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const refusal = (op: string, p: string): string =>
  `fs-security-constraint ${op} ${p}: path '${p}' is not in or below '${root}'`;

describe('ConfinedFs', () => {
  it('reads files inside the root, relative or absolute, through links that stay inside', () => {
    const cfs = new ConfinedFs(root);
    expect(cfs.readTextSync('a/file.txt')).toBe('inside');
    expect(cfs.readTextSync(join(root, 'a/b/../file.txt'))).toBe('inside');
    expect(cfs.readTextSync('a/b/up-link')).toBe('inside');
    expect(cfs.statSync('a').isDirectory()).toBe(true);
    expect(cfs.realpathSync('a/b/up-link')).toBe(join(root, 'a/file.txt'));
    expect(cfs.existsSync('a/file.txt')).toBe(true);
    expect(cfs.readdirSync('a').map((d) => d.name)).toEqual(['b', 'file.txt']);
  });

  it.each([
    ['an absolute path', () => join(outside, 'secret.txt')],
    ['a .. escape', () => '../outside/secret.txt'],
    ['deep .. escapes', () => 'a/b/../../../../../../../etc/passwd'],
    ['/proc', () => '/proc/self/environ'],
    ['/etc/passwd', () => '/etc/passwd'],
    ['a symlink to a file outside', () => 'abs-link'],
    ['a file under a symlinked directory outside', () => 'dir-link/secret.txt'],
  ])('refuses %s with fluxcd/pkg’s message, for every operation', (_name, p) => {
    const cfs = new ConfinedFs(root);
    const path = p();
    expect(() => cfs.readFileSync(path)).toThrow(refusal('read', path));
    expect(() => cfs.statSync(path)).toThrow(refusal('stat', path));
    expect(() => cfs.realpathSync(path)).toThrow(refusal('abs', path));
    expect(cfs.existsSync(path)).toBe(false);
    expect(cfs.locate(path)).toBeUndefined();
    let err: unknown;
    try {
      cfs.readFileSync(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FsSecurityError);
    expect((err as FsSecurityError).code).toBe(FS_SECURITY_CONSTRAINT);
  });

  it('never writes through a link to a directory outside, nor through a dangling link', () => {
    const cfs = new ConfinedFs(root);
    expect(() => cfs.writeFileSync('dir-link/new.txt', 'x')).toThrow(refusal('write', 'dir-link/new.txt'));
    expect(() => cfs.writeFileSync('abs-link', 'x')).toThrow(refusal('write', 'abs-link'));
    expect(() => cfs.writeFileSync('dangling', 'x')).toThrow(refusal('write', 'dangling'));
    expect(() => cfs.chmodSync('abs-link', 0o777)).toThrow(refusal('chmod', 'abs-link'));
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('host secret');
    cfs.writeFileSync('a/new.txt', 'ok');
    expect(readFileSync(join(root, 'a/new.txt'), 'utf8')).toBe('ok');
  });

  it('lstat sees a link itself, but not through a parent link that leaves', () => {
    const cfs = new ConfinedFs(root);
    expect(cfs.lstatSync('abs-link').isSymbolicLink()).toBe(true);
    expect(() => cfs.lstatSync('dir-link/secret.txt')).toThrow(refusal('stat', 'dir-link/secret.txt'));
  });

  it('judges a missing path by its nearest existing ancestor', () => {
    const cfs = new ConfinedFs(root);
    expect(cfs.locate('a/not/yet/there.yaml')).toBe(join(root, 'a/not/yet/there.yaml'));
    expect(cfs.locate('dir-link/not/yet')).toBeUndefined();
    expect(() => cfs.readFileSync('a/missing.yaml')).toThrow(/ENOENT/);
  });

  it('reaches the extra roots it allows, and no further', () => {
    const cfs = new ConfinedFs(root, { allow: [outside] });
    expect(cfs.readTextSync(join(outside, 'secret.txt'))).toBe('host secret');
    expect(cfs.readTextSync('abs-link')).toBe('host secret');
    expect(() => cfs.readFileSync('/etc/passwd')).toThrow(refusal('read', '/etc/passwd'));
    expect(() => cfs.readFileSync(work)).toThrow(refusal('read', work));
  });

  it('does not treat a sibling with the root as prefix as inside', () => {
    mkdirSync(`${root}-evil`);
    writeFileSync(`${root}-evil/x`, 'x');
    const cfs = new ConfinedFs(root);
    expect(() => cfs.readFileSync(`${root}-evil/x`)).toThrow(refusal('read', `${root}-evil/x`));
  });
});
