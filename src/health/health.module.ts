import { Module } from '@nestjs/common';
import { HaModule } from '../ha/ha.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [HaModule],
  controllers: [HealthController],
})
export class HealthModule {}
