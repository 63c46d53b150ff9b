import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { GatewayFailure } from './gateway-failures.js';

/**
 * Answers a request that Node's HTTP parser rejected before any route ran,
 * with the gateway's `{"detail", "code"}` body instead of Fastify's own.
 * The connection is closed afterwards, because the parser cannot resume.
 *
 * Only the error code is logged: the error also carries the raw bytes
 * received, which can include an Authorization header or a cookie.
 */
export function createClientErrorHandler(logger: Logger): (error: NodeJS.ErrnoException, socket: Socket) => void {
  return (error, socket) => {
    // A reset connection, or one already gone, cannot receive a response.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;

    const failure = toFailure(error);
    logger.info({ status: failure.status, code: failure.code, parserCode: error.code }, 'request rejected by the HTTP parser');

    if (socket.writable) {
      const body = JSON.stringify({ detail: failure.detail, code: failure.code });
      socket.write(
        `HTTP/1.1 ${failure.status} ${STATUS_TEXT[failure.status]}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function toFailure(error: NodeJS.ErrnoException): GatewayFailure {
  if (error.code === 'HPE_HEADER_OVERFLOW') return new GatewayFailure('request_head_too_large');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new GatewayFailure('request_timeout');
  return new GatewayFailure('invalid_http_request', { errorCode: error.code ?? 'parse error' });
}
