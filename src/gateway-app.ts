import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { DashboardAccessService } from './auth/dashboard-access.service.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { createClientErrorHandler } from './ha/client-error-handler.js';
import { sendFailure } from './ha/gateway-exception.filter.js';
import { GatewayFailure } from './ha/gateway-failures.js';
import { PinoNestLogger } from './logging/pino-nest-logger.js';
import { chooseRequestId, registerRequestHooks, type UnroutedRequestRecorder } from './logging/request-logging.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { setupOpenApi } from './openapi.js';

export interface GatewayAppOptions {
  logger: Logger;
  /** Serve Swagger UI and the OpenAPI document. */
  openApi: boolean;
  version: string;
}

// Long enough that any {vmid} reaches the VMID check and gets its 400, instead of the router's 404.
const MAX_PARAM_LENGTH = 16 * 1024;

/**
 * Closes each keep-alive connection after its response once the server stops
 * listening. Fastify closes only the connections idle at close() time, so a
 * client that keeps its connection open after an in-flight request would
 * otherwise hold the drain until the grace period ends.
 */
function closeConnectionsWhileDraining(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (!fastify.server.listening) reply.header('connection', 'close');
    done(null, payload);
  });
}

/** Builds the gateway application, ready to listen. Used by main.ts and by the tests. */
export async function createGatewayApp(config: GatewayConfig, options: GatewayAppOptions): Promise<NestFastifyApplication> {
  let recordUnrouted: UnroutedRequestRecorder | null = null;
  const adapter = new FastifyAdapter({
    logger: false,
    genReqId: chooseRequestId,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    bodyLimit: 64 * 1024,
    clientErrorHandler: createClientErrorHandler(options.logger),
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      request.failureCode = 'malformed_request';
      reply.header('x-request-id', request.id);
      sendFailure(reply, new GatewayFailure('malformed_request'));
      recordUnrouted?.(request, reply);
    },
  });

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
  });
  const metrics = app.get(GatewayMetrics);
  metrics.watchDecisionCache(app.get(DashboardAccessService, { strict: false }));
  recordUnrouted = registerRequestHooks(app.getHttpAdapter().getInstance(), options.logger, metrics);
  closeConnectionsWhileDraining(app.getHttpAdapter().getInstance());
  if (options.openApi) setupOpenApi(app, options.version);
  return app;
}
