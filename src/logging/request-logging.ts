import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { METRICS_ROUTE, type GatewayMetrics } from '../metrics/gateway-metrics.js';
import { isBackendNotConfigured } from '../metrics/outcomes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Time proxbox-api took for this request, in milliseconds. */
    backendMs: number | null;
    /** Catalogue code of the failure this request ended in. */
    failureCode: string | null;
    /** The matched route's pattern (`/api/plugins/proxbox/ha/vm/:vmid`), null when no route matched. */
    routePattern: string | null;
    /** Set once the request's log line is written and its metrics recorded. */
    recorded: boolean;
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

// nginx's status for a request whose client closed the connection before the response was sent.
const CLIENT_CLOSED_REQUEST = 499;

/**
 * Writes the request's log line and records its metrics, once per request.
 * `abandonedStatus` is null when the response was sent in full, else the
 * status to report for a request whose connection closed first.
 */
function recordRequest(request: FastifyRequest, reply: FastifyReply, logger: PinoLogger, metrics: GatewayMetrics, abandonedStatus: number | null): void {
  if (request.recorded) return;
  request.recorded = true;

  const status = abandonedStatus ?? reply.statusCode;
  const code = abandonedStatus !== null && request.failureCode === null ? 'client_gone' : request.failureCode;
  const ms = reply.elapsedTime;

  metrics.observeRequest(request.method, request.routePattern, status, ms);
  if (request.backendMs !== null) metrics.observeBackend(code, request.backendMs);
  else if (isBackendNotConfigured(code)) metrics.observeBackend(code, 0);

  const line = {
    requestId: request.id,
    method: request.method,
    route: request.routePattern,
    path: loggedPath(request.url),
    status,
    ms: round(ms),
    backendMs: request.backendMs === null ? null : round(request.backendMs),
    code,
  };
  if (status >= 500) logger.warn(line, 'request failed');
  else logger.info(line, 'request');
}

/** Records a request that Fastify rejected before routing, such as one with a malformed URL, for which no hook runs. */
export type UnroutedRequestRecorder = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Registers the per-request hooks: echo the request ID, then write one
 * structured line per request (route, status, duration, backend duration,
 * failure code) and record the request's metrics. No header, query string
 * or body is logged, so no credential can reach the log.
 */
export function registerRequestHooks(fastify: FastifyInstance, processLogger: PinoLogger, metrics: GatewayMetrics): UnroutedRequestRecorder {
  // The request line is built field by field above and never carries headers, so it skips the
  // process logger's header redaction. Its wildcard paths run a redactor over every field of every
  // line, which cost about 2% of the gateway's CPU time under load.
  const logger = processLogger.child({}, { redact: [] });

  fastify.decorateRequest('backendMs', null);
  fastify.decorateRequest('failureCode', null);
  fastify.decorateRequest('routePattern', null);
  fastify.decorateRequest('recorded', false);

  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    request.routePattern = request.routeOptions.url ?? null;

    // A scrape does not count itself, so an idle gateway reports 0 requests in flight.
    const counted = request.routePattern !== METRICS_ROUTE;
    if (counted) metrics.requestStarted();

    // 'close' fires once per response, after 'finish' or when the connection drops first.
    // onResponse runs only after 'finish', so a request whose client left is recorded here.
    reply.raw.on('close', () => {
      if (counted) metrics.requestEnded();
      if (!reply.raw.writableFinished) {
        // Deferred so that the handler, which the same event aborts, can store its backend timing first.
        setImmediate(recordRequest, request, reply, logger, metrics, reply.raw.headersSent ? reply.statusCode : CLIENT_CLOSED_REQUEST);
      }
    });
    done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    recordRequest(request, reply, logger, metrics, null);
    done();
  });

  return (request, reply) => {
    // Fastify builds these requests from its base Request class, which lacks the decorations above.
    request.backendMs = null;
    request.routePattern = null;
    request.recorded = false;
    recordRequest(request, reply, logger, metrics, null);
  };
}
