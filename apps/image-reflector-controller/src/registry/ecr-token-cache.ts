/**
 * ECR tokens for `provider: aws` without a CronJob: `GetAuthorizationToken` through @aws-sdk/client-ecr (via
 * @flux-ts/oci `ecrCredentials`, the SDK's default credential chain: environment, web identity / IRSA, instance
 * profile) in the region of the registry host, cached per registry until shortly before the token expires.
 */
import { ecrCredentials } from '@flux-ts/oci';
import type { EcrCredentials, RegistryCredentials } from '@flux-ts/oci';

/** The SDK client settings (`endpoint` for tests, `credentials`, `maxAttempts`…). */
export type EcrClientConfig = NonNullable<Parameters<typeof ecrCredentials>[0]['clientConfig']>;

/** ECR tokens live 12 hours; one without an expiry is kept this long. */
const DEFAULT_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** Options of {@link EcrTokenCache}. */
export interface EcrTokenCacheOptions {
  clientConfig?: EcrClientConfig | undefined;
  /** A token is fetched anew once it expires within this margin (default 5 minutes). */
  refreshMarginMs?: number;
  now?: () => number;
}

/** Caches ECR credentials per registry host; concurrent callers share one request. */
export class EcrTokenCache {
  readonly #opts: EcrTokenCacheOptions;
  readonly #entries = new Map<string, { creds: RegistryCredentials; expiresAt: number }>();
  readonly #pending = new Map<string, Promise<EcrCredentials>>();
  /** Number of GetAuthorizationToken calls made (tests). */
  fetches = 0;

  constructor(opts: EcrTokenCacheOptions = {}) {
    this.#opts = opts;
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  /** Credentials for an ECR registry host, from the cache while they are fresh. */
  async get(registry: string, signal: AbortSignal): Promise<RegistryCredentials> {
    const margin = this.#opts.refreshMarginMs ?? 5 * 60 * 1000;
    const hit = this.#entries.get(registry);
    if (hit && hit.expiresAt - margin > this.#now()) return hit.creds;
    let pending = this.#pending.get(registry);
    if (!pending) {
      this.fetches++;
      pending = ecrCredentials({
        registry,
        signal,
        ...(this.#opts.clientConfig ? { clientConfig: this.#opts.clientConfig } : {}),
      });
      this.#pending.set(registry, pending);
    }
    try {
      const got = await pending;
      const { expiresAt, ...creds } = got;
      this.#entries.set(registry, {
        creds,
        expiresAt: expiresAt ? expiresAt.getTime() : this.#now() + DEFAULT_LIFETIME_MS,
      });
      return creds;
    } catch (err) {
      this.#entries.delete(registry);
      throw err;
    } finally {
      this.#pending.delete(registry);
    }
  }

  /** Forgets the token of a registry (after the registry refused it). */
  invalidate(registry: string): void {
    this.#entries.delete(registry);
  }
}
