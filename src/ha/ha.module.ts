import { HttpModule, HttpService } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { BACKEND_HTTP, createBackendHttpService } from './backend-http.js';
import { BackendLocator, EnvironmentBackendLocator } from './backend-locator.js';
import { HaController } from './ha.controller.js';
import { NetBoxBackendLocator } from './netbox-backend-locator.js';
import { ProxboxBackendService } from './proxbox-backend.service.js';
import { undiciAdapter } from './undici-adapter.js';

@Module({
  imports: [HttpModule.register({ adapter: undiciAdapter }), AuthModule],
  controllers: [HaController],
  providers: [
    ProxboxBackendService,
    { provide: BACKEND_HTTP, useFactory: createBackendHttpService },
    {
      provide: BackendLocator,
      useFactory: (config: GatewayConfig, http: HttpService): BackendLocator =>
        config.backend.source === 'netbox' ? new NetBoxBackendLocator(http, config) : new EnvironmentBackendLocator(config),
      inject: [GATEWAY_CONFIG, HttpService],
    },
  ],
  exports: [BackendLocator],
})
export class HaModule {}
