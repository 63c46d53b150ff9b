import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { HttpTarget } from './backend-target.js';
import { GatewayFailure } from './gateway-failures.js';

/** The readiness failure reason when PROXBOX_API_URL is unset, also quoted by the OpenAPI example of /readyz. */
export const BACKEND_URL_UNSET_REASON = 'PROXBOX_API_URL is not set, so every HA request answers 503.';

/** Tells where proxbox-api is for the current request. */
export abstract class BackendLocator {
  /** Returns the backend to call, or throws the 503 failure that explains why there is none. */
  abstract locate(): HttpTarget;

  /** Returns null when requests can be served, else the reason they cannot. */
  abstract unreadyReason(): string | null;
}

/** The backend named by PROXBOX_API_URL, fixed for the life of the process. */
@Injectable()
export class EnvironmentBackendLocator extends BackendLocator implements OnApplicationShutdown {
  private readonly target: HttpTarget | null;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super();
    this.target = config.backend.url ? new HttpTarget(config.backend.url, config.backend.tls) : null;
  }

  locate(): HttpTarget {
    if (this.target === null) throw new GatewayFailure('backend_not_configured');
    return this.target;
  }

  unreadyReason(): string | null {
    return this.target === null ? BACKEND_URL_UNSET_REASON : null;
  }

  onApplicationShutdown(): void {
    this.target?.close();
  }
}
