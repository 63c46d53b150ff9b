import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** A request a simulator received, kept so that tests can check what reached it. */
export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
}

export function recordRequest(request: IncomingMessage): RecordedRequest {
  return { method: request.method ?? '', url: request.url ?? '', headers: { ...request.headers } };
}
