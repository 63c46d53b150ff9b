import { Controller, Get, Header, HttpCode } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { BACKEND_URL_UNSET_REASON, BackendLocator } from '../ha/backend-locator.js';
import { ErrorBody } from '../ha/dto/error-body.dto.js';
import { GatewayFailure } from '../ha/gateway-failures.js';

const UNSET_BACKEND_FAILURE = new GatewayFailure('not_ready', { reason: BACKEND_URL_UNSET_REASON });

/** Probes for container orchestrators; neither touches proxbox-api or NetBox. */
@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(private readonly locator: BackendLocator) {}

  @Get('healthz')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves requests' })
  @ApiOkResponse({ description: 'The process is alive and serving requests.', schema: { example: { status: 'ok' } } })
  liveness(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Readiness: 200 when a backend is configured, else 503 with the reason' })
  @ApiExtraModels(ErrorBody)
  @ApiOkResponse({ description: 'A backend is configured or discovered, so HA requests can be served.', schema: { example: { status: 'ready' } } })
  @ApiServiceUnavailableResponse({
    description: 'No backend is configured or discovered. The detail gives the reason.',
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(ErrorBody) },
        example: { detail: UNSET_BACKEND_FAILURE.detail, code: UNSET_BACKEND_FAILURE.code },
      },
    },
  })
  readiness(): { status: string } {
    const reason = this.locator.unreadyReason();
    if (reason !== null) throw new GatewayFailure('not_ready', { reason });
    return { status: 'ready' };
  }
}
