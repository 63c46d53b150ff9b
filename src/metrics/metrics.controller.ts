import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { GatewayMetrics } from './gateway-metrics.js';

/** The Prometheus scrape target. Like the health probes, it needs no NetBox credential. */
@ApiTags('Monitoring')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: GatewayMetrics) {}

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics in the text exposition format 0.0.4' })
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({ description: 'Every gateway metric, in the Prometheus text format.', schema: { type: 'string', example: 'proxbox_ha_gateway_http_requests_in_flight 0\n' } })
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
