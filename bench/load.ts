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
  /**
   * Computes p50 and p99 from every 2xx response's own time, in fractions
   * of a millisecond, instead of autocannon's histogram, which keeps whole
   * milliseconds. It costs the load generator one callback per response,
   * so only the fixed-rate rows use it.
   */
  preciseLatency?: boolean;
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

/** Returns the value at quantile `q` of ascending `sorted`, by the nearest-rank method. */
export function nearestRank(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const perRequest = options.authorizationPerRequest;
  const latencies: number[] = [];
  // Without a callback autocannon returns its instance, an EventEmitter that is also a promise of the result.
  const run = autocannon({
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
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  if (options.preciseLatency) {
    run.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
    });
  }
  const result = await run;

  const succeeded = result['2xx'];
  const sorted = Float64Array.from(latencies).sort();
  return {
    requestsPerSecond: succeeded / (result.duration || options.durationS),
    p50Ms: options.preciseLatency ? nearestRank(sorted, 0.5) : result.latency.p50,
    p99Ms: options.preciseLatency ? nearestRank(sorted, 0.99) : result.latency.p99,
    succeeded,
    errors: result.errors + result.timeouts + result.non2xx,
    sent: result.requests.sent,
  };
}
