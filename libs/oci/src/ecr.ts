import type * as ClientEcr from '@aws-sdk/client-ecr';
import type { ECRClientConfig, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { RegistryError } from './errors.ts';
import type { RegistryCredentials } from './docker-config.ts';

// Lazily-resolved module promise (the one module-level state): the SDK costs ~24 MiB of RSS, paid on first ECR login only.
let clientEcr: Promise<typeof ClientEcr> | undefined;

/** The part of @aws-sdk/client-ecr's ECRClient that {@link ecrCredentials} uses. */
export interface EcrClientLike {
  send(
    command: GetAuthorizationTokenCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{
    authorizationData?: { authorizationToken?: string | undefined; expiresAt?: Date | undefined }[] | undefined;
  }>;
}

/** ECR credentials with the token's expiry, when ECR sent one (tokens live 12 hours). */
export type EcrCredentials = RegistryCredentials & { expiresAt?: Date };

// As fluxcd/pkg/auth/aws: <account>.dkr.ecr[-fips].<region>.<partition domain>
const ECR_HOST_RE =
  /^([0-9]{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;

/** Account and region of an ECR registry host (`<acct>.dkr.ecr.<region>.amazonaws.com`), or undefined if it is not one. */
export function parseEcrRegistry(registry: string): { accountId: string; region: string } | undefined {
  const host = registry.replace(/:\d+$/, '');
  const m = ECR_HOST_RE.exec(host);
  if (!m?.[1] || !m[2]) return undefined;
  return { accountId: m[1], region: m[2] };
}

/**
 * Credentials for an ECR registry (`provider: aws`): the region comes from the host name, ECR's
 * GetAuthorizationToken gives base64 `AWS:<password>`. Without `client`, an ECRClient for that region is made with
 * `clientConfig` (default credential chain unless it says otherwise).
 */
export async function ecrCredentials(opts: {
  registry: string;
  signal: AbortSignal;
  client?: EcrClientLike;
  clientConfig?: ECRClientConfig;
}): Promise<EcrCredentials> {
  const parsed = parseEcrRegistry(opts.registry);
  if (!parsed)
    throw new RegistryError(
      `invalid ECR registry host '${opts.registry}': expected <account>.dkr.ecr.<region>.amazonaws.com`,
    );
  const { ECRClient, GetAuthorizationTokenCommand } = await (clientEcr ??= import('@aws-sdk/client-ecr'));
  const own = opts.client ? undefined : new ECRClient({ region: parsed.region, ...opts.clientConfig });
  const client: EcrClientLike = opts.client ?? (own as EcrClientLike);
  try {
    let out;
    try {
      out = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: opts.signal });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      // the AWS error code (AccessDeniedException, ExpiredTokenException…) is the SDK error's name
      const code = err instanceof Error && err.name !== 'Error' && !msg.startsWith(err.name) ? `${err.name}: ` : '';
      throw new RegistryError(`failed to get ECR authorization token for ${opts.registry}: ${code}${msg}`, {
        cause: err,
        ...(code ? { code: (err as Error).name } : {}),
      });
    }
    const data = out.authorizationData?.[0];
    const token = data?.authorizationToken;
    if (!token) throw new RegistryError(`ECR returned no authorization token for ${opts.registry}`);
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new RegistryError(`ECR authorization token for ${opts.registry} is not user:password`);
    const creds: EcrCredentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    if (data?.expiresAt instanceof Date && !Number.isNaN(data.expiresAt.getTime())) creds.expiresAt = data.expiresAt;
    return creds;
  } finally {
    own?.destroy();
  }
}
