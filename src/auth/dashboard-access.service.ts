import { Inject, Injectable, Logger } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { GatewayFailure } from '../ha/gateway-failures.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { Credential } from './credential.js';
import { DecisionCache, type DecisionCacheStats } from './decision-cache.js';
import { NetBoxCredentialChecker } from './netbox-credential-checker.service.js';

/**
 * Applies the dashboard rule to one credential: a cached decision when there
 * is one, else NetBox's verdict, shared by every concurrent request that
 * carries the same credential.
 */
@Injectable()
export class DashboardAccessService {
  private readonly logger = new Logger(DashboardAccessService.name);
  private readonly cache: DecisionCache;

  constructor(
    private readonly checker: NetBoxCredentialChecker,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
  ) {
    this.cache = new DecisionCache(config.auth.allowTtlMs, config.auth.denyTtlMs);
  }

  /** Resolves when the credential may see the dashboard; otherwise throws the 403 or 503 failure. */
  async authorize(credential: Credential, requestId: string): Promise<void> {
    const decision = await this.cache.decide(credential.fingerprint, () =>
      this.metrics.timeNetBoxCheck(() => this.checker.check(credential, requestId)),
    );
    this.logger.debug({ msg: 'credential decision', kind: credential.kind, allowed: decision.allowed, cache: this.cache.stats() });

    if (!decision.allowed) {
      throw new GatewayFailure(decision.code, { upstreamDetail: decision.netboxDetail });
    }
  }

  cacheStats(): DecisionCacheStats {
    return this.cache.stats();
  }
}
