/** What the backend client needs to know about the client request it serves. */
export interface BackendExchange {
  /** Sent upstream as X-Request-ID so both logs can be joined. */
  requestId: string;
  /** Aborted when the client goes away before its answer is sent. */
  clientGone: AbortSignal;
  /** Stores the backend's share of the request time for the request log line. */
  recordBackendTiming(milliseconds: number): void;
}

/** Ends a request whose client has gone: there is nobody left to answer. */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';

  constructor() {
    super('The client closed the connection before the answer was ready.');
  }
}
