import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config.js';

/**
 * Registers the validated configuration with @nestjs/config and exposes it
 * as the typed GATEWAY_CONFIG provider. Validation happens before the
 * application is created, in loadGatewayConfig, so that a bad value stops
 * start-up with one line.
 */
@Global()
@Module({})
export class ConfigurationModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: ConfigurationModule,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, ignoreEnvVars: true, skipProcessEnv: true, load: [() => ({ gateway: config })] })],
      providers: [
        {
          provide: GATEWAY_CONFIG,
          useFactory: (configService: ConfigService) => configService.getOrThrow<GatewayConfig>('gateway'),
          inject: [ConfigService],
        },
      ],
      exports: [GATEWAY_CONFIG],
    };
  }
}
