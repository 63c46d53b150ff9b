import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BackendExchange } from './backend-exchange.js';

/**
 * Injects the BackendExchange of the current request: its request ID, a
 * signal that fires when the client disconnects early, and a place to store
 * the backend's timing for the request log.
 */
export const Exchange = createParamDecorator((_: unknown, context: ExecutionContext): BackendExchange => {
  const http = context.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const reply = http.getResponse<FastifyReply>();

  const clientGone = new AbortController();
  // 'close' on the response also fires after a normal finish; only an early close means the client left.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) clientGone.abort();
  });

  return {
    requestId: request.id,
    clientGone: clientGone.signal,
    recordBackendTiming(milliseconds: number) {
      request.backendMs = milliseconds;
    },
  };
});
