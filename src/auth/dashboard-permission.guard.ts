import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { GatewayFailure } from '../ha/gateway-failures.js';
import { readCredential } from './credential.js';
import { DashboardAccessService } from './dashboard-access.service.js';

/**
 * The netbox-proxbox dashboard rule: anonymous requests pass only while
 * LOGIN_REQUIRED=false, and a credential passes when NetBox lets it list at
 * least one of the plugin's endpoint collections.
 */
@Injectable()
export class DashboardPermissionGuard implements CanActivate {
  private readonly loginRequired: boolean;

  constructor(
    private readonly access: DashboardAccessService,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.loginRequired = config.auth.loginRequired;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const credential = readCredential(request.headers);

    if (credential === null) {
      if (this.loginRequired) throw new GatewayFailure('credentials_missing');
      return true;
    }

    await this.access.authorize(credential, request.id);
    return true;
  }
}
