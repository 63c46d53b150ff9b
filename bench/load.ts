/** Runs autocannon against one target and keeps the numbers the report needs. */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  path: string;
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
  /** Fixed total request rate (autocannon overallRate); unset sends as fast as possible. */
  overallRate?: number;
  /** Called for every request; its result is sent as the Authorization header. */
  authorizationPerRequest?: () => string;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses with a 2xx status. */
  succeeded: number;
  /** Connection errors, timeouts and non-2xx responses. */
  errors: number;
  /** Requests written, including those still unanswered when the run ended. */
  sent: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const perRequest = options.authorizationPerRequest;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    overallRate: options.overallRate,
    headers: options.headers,
    timeout: 30,
    requests: [
      perRequest
        ? { method: 'GET', path: options.path, setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: perRequest() } }) }
        : { method: 'GET', path: options.path },
    ],
  });

  const succeeded = result['2xx'];
  return {
    requestsPerSecond: succeeded / (result.duration || options.durationS),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    succeeded,
    errors: result.errors + result.timeouts + result.non2xx,
    sent: result.requests.sent,
  };
}
