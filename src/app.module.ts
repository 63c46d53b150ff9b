import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigurationModule } from './config/configuration.module.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { GatewayExceptionFilter } from './ha/gateway-exception.filter.js';
import { HaModule } from './ha/ha.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigurationModule.forRoot(config), HaModule, HealthModule, MetricsModule],
      providers: [{ provide: APP_FILTER, useClass: GatewayExceptionFilter }],
    };
  }
}
