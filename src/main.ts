import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ConfigurationError, loadGatewayConfig, type GatewayConfig } from './config/gateway-config.js';
import { createGatewayApp } from './gateway-app.js';
import { createLogger } from './logging/logger.js';

function readVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

/** Warns about settings that work but that an operator should know about. */
function warnAboutConfiguration(config: GatewayConfig, logger: Logger): void {
  if (config.backend.source === 'env' && config.backend.url === null) {
    logger.warn('PROXBOX_API_URL is not set: every HA request returns 503 until it is set.');
  }
  if (config.backend.apiKey === null) {
    logger.warn('PROXBOX_API_KEY is not set: requests to proxbox-api carry no X-Proxbox-API-Key, which proxbox-api rejects with 401.');
  }
  if (!config.backend.tls.verify) {
    logger.warn('PROXBOX_API_VERIFY_TLS=false: the proxbox-api certificate is not verified.');
  }
  if (!config.netbox.tls.verify) {
    logger.warn('NETBOX_VERIFY_TLS=false: the NetBox certificate is not verified.');
  }
  if (!config.auth.loginRequired) {
    logger.warn('LOGIN_REQUIRED=false: requests without credentials are served.');
  }
}

/**
 * Stops taking connections, lets requests in flight finish within the grace
 * period, then exits: 0 after a clean drain, 1 when the grace period ran out.
 */
function drainOnSignals(app: NestFastifyApplication, config: GatewayConfig, logger: Logger): void {
  let draining = false;

  const drain = async (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: draining requests in flight');

    const deadline = setTimeout(() => {
      logger.warn({ graceMs: config.shutdownGraceMs }, 'grace period over: exiting with requests still in flight');
      process.exit(1);
    }, config.shutdownGraceMs);
    deadline.unref();

    await app.close();
    clearTimeout(deadline);
    logger.info('stopped');
    process.exit(0);
  };

  process.once('SIGTERM', () => void drain('SIGTERM'));
  process.once('SIGINT', () => void drain('SIGINT'));
}

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`proxbox-ha-gateway: ${error.message}\n`);
    process.exit(2);
  }

  const logger = createLogger(config.logLevel);
  warnAboutConfiguration(config, logger);

  const app = await createGatewayApp(config, { logger, openApi: true, version: readVersion() });
  await app.listen({ host: config.host, port: config.port });
  logger.info({ url: await app.getUrl(), docs: '/api/docs' }, 'proxbox-ha-gateway listening');

  drainOnSignals(app, config, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`proxbox-ha-gateway: start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
