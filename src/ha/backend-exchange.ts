/** The facts about a client request that the backend client needs. */
export interface BackendExchange {
  /** Sent upstream as X-Request-ID so both logs can be joined. */
  readonly requestId: string;
  /** True once the client has gone away before its response was sent. */
  readonly clientGone: boolean;
  /**
   * Calls `listener` when the client goes away before its response is sent.
   * Returns a function that removes the listener.
   */
  onClientGone(listener: () => void): () => void;
  /** Stores the backend's share of the request time for the request log line. */
  recordBackendTiming(milliseconds: number): void;
}

/** Ends a request whose client has gone: no client is left to receive a response. */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';

  constructor() {
    super('The client closed the connection before the answer was ready.');
  }
}
