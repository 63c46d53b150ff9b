import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientGoneError } from './backend-exchange.js';
import { GatewayFailure } from './gateway-failures.js';

// Matches every GET route the gateway serves (both HA routes with or without
// the trailing slash, the probes, /metrics and the API docs), for the 405 response.
const GET_ROUTE = /^(?:\/api\/plugins\/proxbox\/ha\/(?:summary|vm\/[^/]+)\/?|\/healthz|\/readyz|\/metrics|\/api\/docs(?:-json|\/.*)?)$/;
export const HA_ALLOWED_METHODS = 'GET, HEAD';

/**
 * Turns every exception into the gateway's error body `{"detail", "code"}`
 * with the status from the failure catalogue.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('GatewayExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();

    if (exception instanceof ClientGoneError) {
      request.failureCode = 'client_gone';
      return;
    }

    const failure = this.toFailure(exception, request);
    request.failureCode = failure.code;
    sendFailure(reply, failure);
  }

  private toFailure(exception: unknown, request: FastifyRequest): GatewayFailure {
    if (exception instanceof GatewayFailure) return exception;

    // Every route is GET or HEAD. Other methods only reach Fastify's not-found
    // route, which parses the body first, so an unreadable body (400, 413, 415)
    // is the same mistake as the method itself.
    const path = request.url.split('?', 1)[0];
    const readOnlyMethod = request.method === 'GET' || request.method === 'HEAD';
    const routeMiss = exception instanceof HttpException && exception.getStatus() === 404;
    if (!readOnlyMethod || routeMiss) {
      return GET_ROUTE.test(path) ? new GatewayFailure('method_not_allowed', {}, { Allow: HA_ALLOWED_METHODS }) : new GatewayFailure('not_found');
    }

    const failure = new GatewayFailure('internal_error', { requestId: request.id });
    this.logger.error({ msg: 'unexpected failure', code: failure.code, requestId: request.id, err: exception });
    return failure;
  }
}

export function sendFailure(reply: FastifyReply, failure: GatewayFailure): void {
  if (reply.sent || reply.raw.destroyed) return;
  reply
    .status(failure.status)
    .headers({ ...failure.headers, 'content-type': 'application/json', 'cache-control': 'no-store' })
    .send(JSON.stringify({ detail: failure.detail, code: failure.code }));
}
