/**
 * Bucket `spec.sts` (upstream `pkg/minio`: `ValidateSTSProvider`, `ValidateSTSSecret`, `newAWSCreds`,
 * `newGenericCreds`): which STS provider goes with which Bucket provider, the LDAP Secret check, and the two
 * credential sources — `aws` through the AWS SDK's default chain with its STS client pointed at `sts.endpoint`
 * (web identity, as minio-go's IAM provider), `ldap` through MinIO's `AssumeRoleWithLDAPIdentity`.
 */
import { request as httpRequest } from 'node:http';
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type * as CredentialProviderNode from '@aws-sdk/credential-provider-node';
import type { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { Bucket } from '@flux-ts/api';

// Lazily-resolved module promise (the one module-level state): the AWS credential chain loads on the first `sts.provider: aws` request only.
let credentialProviderNode: Promise<typeof CredentialProviderNode> | undefined;

/** `spec.sts` of a Bucket. */
export type BucketSTS = NonNullable<Bucket['spec']['sts']>;

/** Temporary credentials from an STS. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** The STS API version of MinIO's and AWS's STS (minio-go `STSVersion`). */
export const STSVersion = '2011-06-15';

/** Upstream `ValidateSTSProvider`: the error message for an STS provider the Bucket provider does not take, or undefined. */
export function validateSTSProvider(bucketProvider: string, sts: BucketSTS): string | undefined {
  const incompatible = `STS provider '${sts.provider}' is not supported for '${bucketProvider}' bucket provider`;
  switch (bucketProvider) {
    case 'aws':
      if (sts.provider !== 'aws') return incompatible;
      if (sts.secretRef) return `spec.sts.secretRef is not required for the '${sts.provider}' STS provider`;
      if (sts.certSecretRef) return `spec.sts.certSecretRef is not required for the '${sts.provider}' STS provider`;
      return undefined;
    case 'generic':
      return sts.provider === 'ldap' ? undefined : incompatible;
    default:
      return `STS configuration is not supported for '${bucketProvider}' bucket provider`;
  }
}

/** Upstream `ValidateSTSSecret`: an `ldap` Secret needs non-empty `username` and `password`. */
export function validateSTSSecret(
  stsProvider: string,
  name: string,
  data: Record<string, Uint8Array> | undefined,
): string | undefined {
  if (stsProvider !== 'ldap' || data === undefined) return undefined;
  const keys = ['username', 'password'];
  const message = `invalid '${name}' secret data for '${stsProvider}' STS provider: required fields ${keys.join(', ')}`;
  if (Object.keys(data).length === 0) return message;
  return keys.some((k) => !data[k] || data[k].byteLength === 0) ? message : undefined;
}

/** Options of {@link awsSTSCredentials}. */
export interface AwsSTSOptions {
  /** `proxySecretRef` (credentials in the user info): the STS requests go through it, as the S3 requests do. */
  proxy?: URL | undefined;
}

/**
 * `sts.provider: aws` (minio-go `credentials.NewIAM(sts.endpoint)`, its client on the Bucket's proxy transport):
 * the SDK's default chain (env, shared config, web identity token, container and instance metadata) whose STS
 * client (AssumeRoleWithWebIdentity) talks to `endpoint`, through `proxy` when set.
 */
export function awsSTSCredentials(
  endpoint: string,
  region: string | undefined,
  opts: AwsSTSOptions = {},
): ReturnType<typeof defaultProvider> {
  let provider: Promise<ReturnType<typeof defaultProvider>> | undefined; // one memoizing chain per returned provider
  return async (options) => {
    provider ??= (credentialProviderNode ??= import('@aws-sdk/credential-provider-node')).then((m) =>
      m.defaultProvider({
        clientConfig: {
          endpoint,
          ...(region ? { region } : {}),
          // the SDK takes the options of its Node handler in place of a handler
          ...(opts.proxy
            ? {
                requestHandler: {
                  httpAgent: new HttpProxyAgent(opts.proxy),
                  httpsAgent: new HttpsProxyAgent(opts.proxy),
                },
              }
            : {}),
        },
      }),
    );
    return (await provider)(options);
  };
}

/** Options of {@link ldapSTSCredentials}. */
export interface LdapSTSOptions {
  endpoint: string;
  username: string;
  password: string;
  /** `sts.certSecretRef`: CA (added to the system roots), client certificate and key. */
  tls?: { ca?: Uint8Array; cert?: Uint8Array; key?: Uint8Array } | undefined;
  /** `proxySecretRef` (credentials in the user info). */
  proxy?: URL | undefined;
  signal: AbortSignal;
}

/** A value of the XML response (the fields MinIO's STS returns are plain text). */
function xmlValue(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]
    ?.replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

/**
 * `sts.provider: ldap` (minio-go `credentials.LDAPIdentity`): POSTs `Action=AssumeRoleWithLDAPIdentity`,
 * `LDAPUsername`, `LDAPPassword`, `Version` as a form to the STS endpoint and reads the temporary credentials
 * from the XML answer. Errors name the STS error code and message, never the password.
 */
// Hand-written: AssumeRoleWithLDAPIdentity is MinIO's own STS action; neither @aws-sdk/client-sts nor the minio npm client sends it.
export async function ldapSTSCredentials(o: LdapSTSOptions): Promise<TemporaryCredentials> {
  const url = new URL(o.endpoint);
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithLDAPIdentity',
    LDAPUsername: o.username,
    LDAPPassword: o.password,
    Version: STSVersion,
  }).toString();
  const https = url.protocol === 'https:';
  const tlsOptions = {
    ...(o.tls?.ca ? { ca: [...rootCertificates, Buffer.from(o.tls.ca).toString('utf8')] } : {}),
    ...(o.tls?.cert ? { cert: Buffer.from(o.tls.cert) } : {}),
    ...(o.tls?.key ? { key: Buffer.from(o.tls.key) } : {}),
  };
  let agent: HttpAgent | undefined;
  if (o.proxy) agent = https ? new HttpsProxyAgent(o.proxy, tlsOptions) : new HttpProxyAgent(o.proxy);
  else if (https && (o.tls?.ca || o.tls?.cert)) agent = new HttpsAgent(tlsOptions);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
        },
        ...(agent ? { agent } : {}),
        signal: o.signal,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 1024 * 1024) res.destroy(new Error('STS response larger than 1 MiB'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', (err) =>
      reject(new Error(`STS request to '${url.origin}' failed: ${err.message}`, { cause: err })),
    );
    req.end(body);
  });
  if (status !== 200) {
    const code = xmlValue(text, 'Code');
    const message = xmlValue(text, 'Message');
    throw new Error(
      `AssumeRoleWithLDAPIdentity at '${url.origin}${url.pathname}' failed with status ${status}${code ? `: ${code}` : ''}${message ? `: ${message}` : ''}`,
    );
  }
  const accessKeyId = xmlValue(text, 'AccessKeyId');
  const secretAccessKey = xmlValue(text, 'SecretAccessKey');
  if (!accessKeyId || !secretAccessKey)
    throw new Error(`AssumeRoleWithLDAPIdentity at '${url.origin}${url.pathname}' returned no credentials`);
  const sessionToken = xmlValue(text, 'SessionToken');
  const expiration = xmlValue(text, 'Expiration');
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    ...(expiration && !Number.isNaN(Date.parse(expiration)) ? { expiration: new Date(expiration) } : {}),
  };
}
