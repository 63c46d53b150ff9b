import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { DashboardAccessService } from './dashboard-access.service.js';
import { DashboardPermissionGuard } from './dashboard-permission.guard.js';
import { NetBoxCredentialChecker } from './netbox-credential-checker.service.js';

@Module({
  imports: [HttpModule],
  providers: [NetBoxCredentialChecker, DashboardAccessService, DashboardPermissionGuard],
  exports: [DashboardAccessService, DashboardPermissionGuard],
})
export class AuthModule {}
