import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { BackendLocator, EnvironmentBackendLocator } from './backend-locator.js';
import { HaController } from './ha.controller.js';
import { ProxboxBackendService } from './proxbox-backend.service.js';

@Module({
  imports: [HttpModule, AuthModule],
  controllers: [HaController],
  providers: [ProxboxBackendService, { provide: BackendLocator, useClass: EnvironmentBackendLocator }],
  exports: [BackendLocator],
})
export class HaModule {}
