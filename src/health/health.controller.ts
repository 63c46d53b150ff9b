import { Controller, Get, Header, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { BackendLocator } from '../ha/backend-locator.js';
import { GatewayFailure } from '../ha/gateway-failures.js';

/** Probes for container orchestrators; neither touches proxbox-api or NetBox. */
@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(private readonly locator: BackendLocator) {}

  @Get('healthz')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves requests' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  liveness(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Readiness: 200 when a backend is configured, else 503 with the reason' })
  @ApiOkResponse({ schema: { example: { status: 'ready' } } })
  @ApiServiceUnavailableResponse({ schema: { example: { detail: 'PROXBOX_API_URL is not set, so every HA request answers 503.', code: 'not_ready' } } })
  readiness(): { status: string } {
    const reason = this.locator.unreadyReason();
    if (reason !== null) throw new GatewayFailure('not_ready', { reason });
    return { status: 'ready' };
  }
}
