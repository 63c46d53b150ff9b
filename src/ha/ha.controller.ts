import { Controller, Get, Header, Param, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DashboardPermissionGuard } from '../auth/dashboard-permission.guard.js';
import type { BackendExchange } from './backend-exchange.js';
import { Exchange } from './exchange.decorator.js';
import { ApiSummaryRoute, ApiVmRoute } from './ha-openapi.decorators.js';
import { ProxboxBackendService } from './proxbox-backend.service.js';
import { VmidPipe } from './vmid.pipe.js';

/**
 * The plugin's HA routes. The trailing slash is optional and HEAD returns
 * what GET does, without a body. Responses depend on the caller's
 * credential and on live cluster state, so no cache may store them.
 */
@ApiTags('Cluster HA')
@ApiSecurity('netbox-token')
@ApiCookieAuth('netbox-session')
@UseGuards(DashboardPermissionGuard)
@Controller('api/plugins/proxbox/ha')
export class HaController {
  constructor(private readonly backend: ProxboxBackendService) {}

  @Get('summary')
  @Header('Content-Type', 'application/json')
  @Header('Cache-Control', 'no-store')
  @ApiSummaryRoute()
  summary(@Exchange() exchange: BackendExchange): Promise<Buffer> {
    return this.backend.fetchSummary(exchange);
  }

  @Get('vm/:vmid')
  @Header('Content-Type', 'application/json')
  @Header('Cache-Control', 'no-store')
  @ApiVmRoute()
  vmResource(@Param('vmid', VmidPipe) vmid: number, @Exchange() exchange: BackendExchange): Promise<Buffer> {
    return this.backend.fetchVmResource(vmid, exchange);
  }
}
