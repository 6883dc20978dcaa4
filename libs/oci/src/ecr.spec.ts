import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecrCredentials, parseEcrRegistry } from './ecr.ts';

// A fake ECR endpoint: the real SDK (awsJson1_1 over HTTP) talks to it.
let server: Server;
let endpoint: string;
const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
let reply: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(reply.status, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const REGISTRY = '123456789012.dkr.ecr.eu-west-3.amazonaws.com';
const clientConfig = { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-key' } };

describe('parseEcrRegistry', () => {
  it('reads account and region from ECR hosts', () => {
    expect(parseEcrRegistry(REGISTRY)).toEqual({ accountId: '123456789012', region: 'eu-west-3' });
    expect(parseEcrRegistry('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')).toEqual({
      accountId: '123456789012',
      region: 'us-gov-west-1',
    });
    expect(parseEcrRegistry('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')?.region).toBe('cn-north-1');
    expect(parseEcrRegistry('ghcr.io')).toBeUndefined();
    expect(parseEcrRegistry('12345.dkr.ecr.us-east-1.amazonaws.com')).toBeUndefined();
  });
});

describe('ecrCredentials (real @aws-sdk/client-ecr against a local endpoint)', () => {
  it('calls GetAuthorizationToken in the registry region and splits AWS:<password>', async () => {
    seen.length = 0;
    reply = {
      status: 200,
      body: {
        authorizationData: [
          {
            authorizationToken: Buffer.from('AWS:ecr-pass-123').toString('base64'),
            expiresAt: 1.9e9,
            proxyEndpoint: `https://${REGISTRY}`,
          },
        ],
      },
    };
    const creds = await ecrCredentials({
      registry: REGISTRY,
      signal: AbortSignal.timeout(10_000),
      clientConfig: { ...clientConfig, endpoint },
    });
    expect(creds).toEqual({ username: 'AWS', password: 'ecr-pass-123', expiresAt: new Date(1.9e12) });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers['x-amz-target']).toBe('AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
    expect(seen[0]?.headers['authorization']).toContain('/eu-west-3/ecr/aws4_request');
  });

  it('uses a given client', async () => {
    reply = {
      status: 200,
      body: { authorizationData: [{ authorizationToken: Buffer.from('AWS:p2').toString('base64') }] },
    };
    const client = new ECRClient({ region: 'eu-west-3', ...clientConfig, endpoint });
    try {
      expect(await ecrCredentials({ registry: REGISTRY, signal: AbortSignal.timeout(10_000), client })).toEqual({
        username: 'AWS',
        password: 'p2',
      });
    } finally {
      client.destroy();
    }
  });

  it('reports service errors and empty answers', async () => {
    reply = {
      status: 400,
      body: { __type: 'AccessDeniedException', message: 'not authorized to perform ecr:GetAuthorizationToken' },
    };
    await expect(
      ecrCredentials({
        registry: REGISTRY,
        signal: AbortSignal.timeout(10_000),
        clientConfig: { ...clientConfig, endpoint, maxAttempts: 1 },
      }),
    ).rejects.toThrow(
      /failed to get ECR authorization token for 123456789012.dkr.ecr.eu-west-3.amazonaws.com: AccessDeniedException: not authorized/,
    );
    reply = { status: 200, body: { authorizationData: [] } };
    await expect(
      ecrCredentials({
        registry: REGISTRY,
        signal: AbortSignal.timeout(10_000),
        clientConfig: { ...clientConfig, endpoint },
      }),
    ).rejects.toThrow(/ECR returned no authorization token/);
  });

  it('rejects hosts that are not ECR', async () => {
    await expect(ecrCredentials({ registry: 'ghcr.io', signal: AbortSignal.timeout(1000) })).rejects.toThrow(
      /invalid ECR registry host 'ghcr.io'/,
    );
  });
});

describe('@aws-sdk/client-ecr (issue 22)', () => {
  it('is not imported with @flux-ts/oci: it loads on the first ECR login', () => {
    // a fresh Node with a resolve hook imports the package index and lists the AWS SDK specifiers it resolved
    const script = [
      "import { registerHooks } from 'node:module';",
      'const seen = [];',
      "registerHooks({ resolve(s, c, next) { if (s.startsWith('@aws-sdk/')) seen.push(s); return next(s, c); } });",
      `await import(${JSON.stringify(new URL('./index.ts', import.meta.url).href)});`,
      'console.log(JSON.stringify(seen));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });
});
