import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Bucket } from '@flux-ts/api';
import { indexDigest, keysFromSecret, s3ClientFor, s3Message } from './fetch.ts';

describe('indexDigest (Flux index.Digester)', () => {
  it('is sha256 of the sorted "<key> <etag>\\n" lines', () => {
    const lines = 'bar baz\nfoo bar\n';
    expect(
      indexDigest(
        new Map([
          ['foo', 'bar'],
          ['bar', 'baz'],
        ]),
      ),
    ).toBe(`sha256:${createHash('sha256').update(lines).digest('hex')}`);
    expect(indexDigest(new Map())).toBe(`sha256:${createHash('sha256').update('').digest('hex')}`);
  });
  it('sorts keys bytewise, as Go sort.Strings', () => {
    const a = indexDigest(
      new Map([
        ['c/d/e', 'x'],
        ['a/b/c', 'y'],
        ['B', 'z'],
      ]),
    );
    const b = indexDigest(
      new Map([
        ['B', 'z'],
        ['a/b/c', 'y'],
        ['c/d/e', 'x'],
      ]),
    );
    expect(a).toBe(b);
    expect(a).toBe(`sha256:${createHash('sha256').update('B z\na/b/c y\nc/d/e x\n').digest('hex')}`);
  });
});

describe('keysFromSecret (minio.ValidateSecret)', () => {
  it('needs accesskey and secretkey', () => {
    expect(keysFromSecret('s', { accesskey: Buffer.from('a'), secretkey: Buffer.from('b') })).toEqual({
      accessKeyId: 'a',
      secretAccessKey: 'b',
    });
    expect(() => keysFromSecret('s', { accesskey: Buffer.from('a') })).toThrow(
      "invalid 's' secret data: required fields 'accesskey' and 'secretkey'",
    );
  });
});

describe('s3Message', () => {
  it('prefixes the S3 error code, or names the status when the SDK has no message', () => {
    expect(s3Message(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }))).toBe(
      'AccessDenied: Access Denied',
    );
    expect(
      s3Message(Object.assign(new Error('UnknownError'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } })),
    ).toBe('Forbidden: status code 403');
  });
});

describe('s3ClientFor', () => {
  const bucket = (spec: Partial<Bucket['spec']>): Bucket =>
    ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'Bucket',
      metadata: { name: 'b', namespace: 'default' },
      spec: { bucketName: 'b', endpoint: 'minio:9000', interval: '1m', ...spec },
    }) as Bucket;
  it('generic is path-style on https (http with insecure); aws is virtual-hosted in its region', async () => {
    const generic = await s3ClientFor(bucket({}), {});
    expect(generic.config.forcePathStyle).toBe(true);
    expect((await generic.config.endpoint?.())?.protocol).toBe('https:');
    const insecure = await s3ClientFor(bucket({ insecure: true }), {});
    expect((await insecure.config.endpoint?.())?.protocol).toBe('http:');
    const aws = await s3ClientFor(bucket({ provider: 'aws', endpoint: 's3.amazonaws.com', region: 'eu-west-1' }), {
      keys: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect(aws.config.forcePathStyle).toBe(false);
    expect(await aws.config.region()).toBe('eu-west-1');
    for (const c of [generic, insecure, aws]) c.destroy();
  });
});

describe('the AWS SDK (issue 22)', () => {
  it('is not imported with the Bucket reconciler: the AWS, Azure and Google SDKs load on first use', () => {
    // a fresh Node with a resolve hook imports the reconciler and lists the cloud SDK specifiers it resolved
    const script = [
      "import { registerHooks } from 'node:module';",
      'const seen = [];',
      'registerHooks({ resolve(s, c, next) { if (/^@(aws-sdk|azure|google-cloud)\\//.test(s)) seen.push(s); return next(s, c); } });',
      `await import(${JSON.stringify(new URL('./reconciler.ts', import.meta.url).href)});`,
      'console.log(JSON.stringify(seen));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });
});
