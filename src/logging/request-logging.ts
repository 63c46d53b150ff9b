import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';

declare module 'fastify' {
  interface FastifyRequest {
    /** Time proxbox-api took for this request, in milliseconds. */
    backendMs: number | null;
    /** Catalogue code of the failure this request ended in. */
    failureCode: string | null;
  }
}

// A client's X-Request-ID is kept only when it is short printable ASCII; anything else is replaced, never logged.
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const MAX_LOGGED_PATH_LENGTH = 200;

/** Returns the client's X-Request-ID when it is acceptable, else a new UUID. */
export function chooseRequestId(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}

function loggedPath(url: string): string {
  // The query string is dropped: clients may put anything there, tokens included.
  const path = url.split('?', 1)[0];
  return path.length > MAX_LOGGED_PATH_LENGTH ? `${path.slice(0, MAX_LOGGED_PATH_LENGTH)}...` : path;
}

const round = (milliseconds: number) => Math.round(milliseconds * 100) / 100;

/**
 * Echoes the request ID and writes one structured line per request with its
 * route, status, duration, backend duration and failure code. No header,
 * query string or body is logged, so no credential can reach the log.
 */
export function registerRequestLogging(fastify: FastifyInstance, logger: PinoLogger): void {
  fastify.decorateRequest('backendMs', null);
  fastify.decorateRequest('failureCode', null);

  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const line = {
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? null,
      path: loggedPath(request.url),
      status,
      ms: round(reply.elapsedTime),
      backendMs: request.backendMs === null ? null : round(request.backendMs),
      code: request.failureCode,
    };
    if (status >= 500) logger.warn(line, 'request failed');
    else logger.info(line, 'request');
    done();
  });
}
