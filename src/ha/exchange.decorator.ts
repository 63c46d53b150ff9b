import type { ServerResponse } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BackendExchange } from './backend-exchange.js';

/**
 * The BackendExchange of one Fastify request. It watches the response's
 * 'close' event only while the backend client listens, instead of holding
 * an AbortController per request, because both cost measurable CPU at
 * thousands of requests per second.
 */
class ReplyExchange implements BackendExchange {
  constructor(
    private readonly request: FastifyRequest,
    private readonly response: ServerResponse,
  ) {}

  get requestId(): string {
    return this.request.id;
  }

  // 'close' on the response also fires after a normal finish; only an early close means the client left.
  get clientGone(): boolean {
    return this.response.destroyed && !this.response.writableFinished;
  }

  onClientGone(listener: () => void): () => void {
    const response = this.response;
    const onClose = () => {
      if (!response.writableFinished) listener();
    };
    response.on('close', onClose);
    return () => response.off('close', onClose);
  }

  recordBackendTiming(milliseconds: number): void {
    this.request.backendMs = milliseconds;
  }
}

/**
 * Injects the BackendExchange of the current request: its request ID, a
 * way to learn that the client disconnected early, and a place to store
 * the backend's timing for the request log.
 */
export const Exchange = createParamDecorator((_: unknown, context: ExecutionContext): BackendExchange => {
  const http = context.switchToHttp();
  return new ReplyExchange(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>().raw);
});
