import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Decision, DecisionCacheStats } from '../auth/decision-cache.js';
import { GatewayFailure } from '../ha/gateway-failures.js';
import { backendOutcome, netBoxOutcome, type BackendOutcome, type NetBoxOutcome } from './outcomes.js';

export const METRICS_ROUTE = '/metrics';
/** Route label of requests that matched no route, so that a scanner's paths never become label values. */
export const UNMATCHED_ROUTE = 'unmatched';
/** Method label of every method outside KNOWN_METHODS. */
export const OTHER_METHOD = 'other';
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

// In seconds. The backend deadlines default to 10 and 15 s, the NetBox check's to 5 s.
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
const NETBOX_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type RequestLabelName = 'method' | 'route' | 'status';
type RequestLabels = Record<RequestLabelName, string>;
type OutcomeLabels = { outcome: string };

/** Source of the decision cache's counters, read at every scrape. */
export interface DecisionCacheSource {
  cacheStats(): DecisionCacheStats;
}

/**
 * The gateway's Prometheus metrics, in a registry owned by this application
 * rather than prom-client's global one, so that several gateways in one
 * process keep separate counts. Label values come from fixed sets (route
 * patterns, catalogue outcomes), never from a path, a VMID or a credential.
 */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();

  private readonly requests = new Counter<RequestLabelName>({
    name: 'proxbox_ha_gateway_http_requests_total',
    help: 'HTTP requests completed, by method, route pattern and status. Status 499: the client closed the connection before the response was sent.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });

  private readonly requestDuration = new Histogram<RequestLabelName>({
    name: 'proxbox_ha_gateway_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  private readonly backendDuration = new Histogram<'outcome'>({
    name: 'proxbox_ha_gateway_backend_request_duration_seconds',
    help: 'Time of the request to proxbox-api, by outcome. A request turned away because no backend is configured is counted with 0 s.',
    labelNames: ['outcome'],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  private readonly netBoxCheckDuration = new Histogram<'outcome'>({
    name: 'proxbox_ha_gateway_netbox_check_duration_seconds',
    help: 'Time of one credential check against NetBox (cache misses only), by outcome.',
    labelNames: ['outcome'],
    buckets: NETBOX_BUCKETS,
    registers: [this.registry],
  });

  private inFlightCount = 0;
  private decisionCache: DecisionCacheSource | null = null;

  private readonly requestLabelCache = new Map<string, Map<string, Map<number, RequestLabels>>>();
  private readonly outcomeLabelCache = new Map<string, OutcomeLabels>();

  constructor() {
    const metrics = this;

    new Gauge({
      name: 'proxbox_ha_gateway_http_requests_in_flight',
      help: 'Requests received whose response is not sent yet, scrapes of /metrics excluded.',
      registers: [this.registry],
      collect() {
        this.set(metrics.inFlightCount);
      },
    });

    new Counter<'result'>({
      name: 'proxbox_ha_gateway_decision_cache_lookups_total',
      help: 'Credential decisions looked up in the cache, by result. A request that joins a NetBox check already running for the same credential counts as a hit.',
      labelNames: ['result'],
      registers: [this.registry],
      collect() {
        const stats = metrics.decisionCache?.cacheStats() ?? { hits: 0, misses: 0, size: 0 };
        this.reset();
        this.inc({ result: 'hit' }, stats.hits);
        this.inc({ result: 'miss' }, stats.misses);
      },
    });

    new Gauge({
      name: 'proxbox_ha_gateway_decision_cache_entries',
      help: 'Credential decisions held in the cache.',
      registers: [this.registry],
      collect() {
        this.set(metrics.decisionCache?.cacheStats().size ?? 0);
      },
    });
  }

  /** Reads the decision cache's statistics at every scrape from now on. */
  watchDecisionCache(source: DecisionCacheSource): void {
    this.decisionCache = source;
  }

  requestStarted(): void {
    this.inFlightCount += 1;
  }

  requestEnded(): void {
    this.inFlightCount -= 1;
  }

  /**
   * Counts one completed request. `route` is the matched route pattern, or
   * null when no route matched.
   */
  observeRequest(method: string, route: string | null, status: number, milliseconds: number): void {
    const labels = this.requestLabels(method, route, status);
    this.requests.inc(labels);
    this.requestDuration.observe(labels, milliseconds / 1000);
  }

  observeBackend(failureCode: string | null, milliseconds: number): void {
    this.backendDuration.observe(this.outcomeLabels(backendOutcome(failureCode)), milliseconds / 1000);
  }

  /** Runs one NetBox credential check and records its duration and outcome. */
  async timeNetBoxCheck(check: () => Promise<Decision>): Promise<Decision> {
    const started = performance.now();
    try {
      const decision = await check();
      this.observeNetBoxCheck(netBoxOutcome(decision.allowed ? null : decision.code), started);
      return decision;
    } catch (error) {
      this.observeNetBoxCheck(netBoxOutcome(error instanceof GatewayFailure ? error.code : 'internal_error'), started);
      throw error;
    }
  }

  /** Returns every metric in the Prometheus text format, version 0.0.4. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private observeNetBoxCheck(outcome: NetBoxOutcome, started: number): void {
    this.netBoxCheckDuration.observe(this.outcomeLabels(outcome), (performance.now() - started) / 1000);
  }

  // prom-client stores the first label object it receives for a series, so passing
  // the same object every time spares one allocation per observation.
  private requestLabels(method: string, route: string | null, status: number): RequestLabels {
    const routeLabel = route ?? UNMATCHED_ROUTE;
    const methodLabel = KNOWN_METHODS.has(method) ? method : OTHER_METHOD;

    let byMethod = this.requestLabelCache.get(routeLabel);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.requestLabelCache.set(routeLabel, byMethod);
    }
    let byStatus = byMethod.get(methodLabel);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(methodLabel, byStatus);
    }
    let labels = byStatus.get(status);
    if (labels === undefined) {
      labels = Object.freeze({ method: methodLabel, route: routeLabel, status: String(status) });
      byStatus.set(status, labels);
    }
    return labels;
  }

  private outcomeLabels(outcome: BackendOutcome | NetBoxOutcome): OutcomeLabels {
    let labels = this.outcomeLabelCache.get(outcome);
    if (labels === undefined) {
      labels = Object.freeze({ outcome });
      this.outcomeLabelCache.set(outcome, labels);
    }
    return labels;
  }
}
