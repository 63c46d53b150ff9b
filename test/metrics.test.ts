import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { ProxboxBackendService } from '../src/ha/proxbox-backend.service.js';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { parseSamples, seriesOf, type Sample } from './support/prometheus-text.js';
import { call, rawCall, startGateway, SUMMARY_ROUTE, vmRoute, type RunningGateway } from './support/gateway.js';

const API_KEY = 'sim-api-key-metrics';
const UNKNOWN_TOKEN = 'ffffffffffffffffffffffffffffffffffffffff';
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const SUMMARY_PATTERN = '/api/plugins/proxbox/ha/summary';
const VM_PATTERN = '/api/plugins/proxbox/ha/vm/:vmid';
// A VMID no sample or fixture contains, so finding it in a label would mean a leak.
const DISTINCT_VMID = 424242;
const MALFORMED_PATH = '/api/plugins/proxbox/ha/vm/%zz/';

const tokenHeader = (token: string) => ({ Authorization: `Token ${token}` });

async function scrape(gateway: RunningGateway): Promise<{ status: number; contentType: string | null; text: string; samples: Sample[] }> {
  const answer = await call(`${gateway.url}/metrics`);
  return { status: answer.status, contentType: answer.headers.get('content-type'), text: answer.text, samples: parseSamples(answer.text) };
}

/** Returns a loopback port that nothing listens on, by binding one and closing it again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const parsedLogs = (gateway: RunningGateway) => gateway.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('metrics after a known sequence', () => {
  let backend: ProxboxApiSimulator;
  let netbox: NetBoxSimulator;
  let gateway: RunningGateway;
  let refusedGateway: RunningGateway;
  let unconfiguredGateway: RunningGateway;
  const unknownPath = `/nonexistent/${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator({ apiKey: API_KEY });
    netbox = await startNetBoxSimulator();
    gateway = await startGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, NETBOX_URL: netbox.url });
    refusedGateway = await startGateway({ PROXBOX_API_URL: `http://127.0.0.1:${await closedPort()}`, LOGIN_REQUIRED: 'false' });
    unconfiguredGateway = await startGateway({ LOGIN_REQUIRED: 'false' });

    const admin = tokenHeader(V1_TOKENS.admin);
    const sequence: Array<[RunningGateway, string, RequestInit, number]> = [
      [gateway, SUMMARY_ROUTE, { headers: admin }, 200],
      [gateway, SUMMARY_ROUTE, { headers: admin }, 200],
      [gateway, vmRoute(DISTINCT_VMID), { headers: admin, method: 'HEAD' }, 200],
      [gateway, vmRoute('abc'), { headers: admin }, 400],
      [gateway, SUMMARY_ROUTE, {}, 403],
      [gateway, SUMMARY_ROUTE, { headers: tokenHeader(V1_TOKENS.noRights) }, 403],
      [gateway, SUMMARY_ROUTE, { headers: tokenHeader(UNKNOWN_TOKEN) }, 403],
      [gateway, unknownPath, {}, 404],
      [gateway, SUMMARY_ROUTE, { method: 'PROPFIND' }, 405],
      [refusedGateway, vmRoute(DISTINCT_VMID), {}, 502],
      [unconfiguredGateway, SUMMARY_ROUTE, {}, 503],
    ];
    for (const [target, path, init, status] of sequence) {
      const answer = await call(`${target.url}${path}`, init);
      expect(answer.status).toBe(status);
    }
    // Fastify rejects a malformed URL before routing, so no request hook runs for it.
    const malformed = await rawCall(gateway.url, MALFORMED_PATH);
    expect(JSON.parse(malformed.text)).toMatchObject({ code: 'malformed_request' });
  });

  afterAll(async () => {
    await gateway.close();
    await refusedGateway.close();
    await unconfiguredGateway.close();
    await backend.close();
    await netbox.close();
  });

  test('answers in the Prometheus text format', async () => {
    const metrics = await scrape(gateway);

    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toBe(PROMETHEUS_TEXT);
    expect(metrics.text).toContain('# TYPE proxbox_ha_gateway_http_requests_total counter\n');
    expect(metrics.text).toContain('# TYPE proxbox_ha_gateway_http_request_duration_seconds histogram\n');
  });

  test('counts requests by method, route and status', async () => {
    const { samples } = await scrape(gateway);

    const expected = {
      [`method=GET,route=${SUMMARY_PATTERN},status=200`]: 2,
      [`method=HEAD,route=${VM_PATTERN},status=200`]: 1,
      [`method=GET,route=${VM_PATTERN},status=400`]: 1,
      [`method=GET,route=${SUMMARY_PATTERN},status=403`]: 3,
      'method=GET,route=unmatched,status=400': 1,
      'method=GET,route=unmatched,status=404': 1,
      'method=other,route=unmatched,status=405': 1,
    };
    const metricsRequests = seriesOf(samples, 'proxbox_ha_gateway_http_requests_total')['method=GET,route=/metrics,status=200'] ?? 0;
    expect(seriesOf(samples, 'proxbox_ha_gateway_http_requests_total')).toEqual({
      ...expected,
      ...(metricsRequests > 0 ? { 'method=GET,route=/metrics,status=200': metricsRequests } : {}),
    });
    expect(seriesOf(samples, 'proxbox_ha_gateway_http_request_duration_seconds_count')).toEqual(
      seriesOf(samples, 'proxbox_ha_gateway_http_requests_total'),
    );
  });

  test('counts a scrape once it is answered', async () => {
    const before = seriesOf((await scrape(gateway)).samples, 'proxbox_ha_gateway_http_requests_total');
    const after = seriesOf((await scrape(gateway)).samples, 'proxbox_ha_gateway_http_requests_total');

    const key = 'method=GET,route=/metrics,status=200';
    expect(after[key]).toBe((before[key] ?? 0) + 1);
  });

  test('counts the refused and unconfigured backends', async () => {
    const refused = (await scrape(refusedGateway)).samples;
    const unconfigured = (await scrape(unconfiguredGateway)).samples;

    expect(seriesOf(refused, 'proxbox_ha_gateway_http_requests_total')).toEqual({ [`method=GET,route=${VM_PATTERN},status=502`]: 1 });
    expect(seriesOf(refused, 'proxbox_ha_gateway_backend_request_duration_seconds_count')).toEqual({ 'outcome=refused': 1 });
    expect(seriesOf(unconfigured, 'proxbox_ha_gateway_http_requests_total')).toEqual({ [`method=GET,route=${SUMMARY_PATTERN},status=503`]: 1 });
    expect(seriesOf(unconfigured, 'proxbox_ha_gateway_backend_request_duration_seconds_count')).toEqual({ 'outcome=not_configured': 1 });
    expect(seriesOf(unconfigured, 'proxbox_ha_gateway_backend_request_duration_seconds_sum')).toEqual({ 'outcome=not_configured': 0 });
  });

  test('times backend requests by outcome', async () => {
    const { samples } = await scrape(gateway);

    expect(seriesOf(samples, 'proxbox_ha_gateway_backend_request_duration_seconds_count')).toEqual({ 'outcome=ok': 3 });
    const buckets = samples.filter((sample) => sample.name === 'proxbox_ha_gateway_backend_request_duration_seconds_bucket');
    expect(buckets.find((sample) => sample.labels.le === '+Inf')?.value).toBe(3);
  });

  test('times NetBox checks by outcome', async () => {
    const { samples } = await scrape(gateway);

    expect(seriesOf(samples, 'proxbox_ha_gateway_netbox_check_duration_seconds_count')).toEqual({
      'outcome=allowed': 1,
      'outcome=denied': 1,
      'outcome=rejected': 1,
    });
  });

  test('counts decision cache hits and misses', async () => {
    const { samples } = await scrape(gateway);

    expect(seriesOf(samples, 'proxbox_ha_gateway_decision_cache_lookups_total')).toEqual({ 'result=hit': 3, 'result=miss': 3 });
    expect(seriesOf(samples, 'proxbox_ha_gateway_decision_cache_entries')).toEqual({ '': 3 });
  });

  test('reports no requests in flight when idle', async () => {
    for (const target of [gateway, refusedGateway, unconfiguredGateway]) {
      const { samples } = await scrape(target);
      expect(seriesOf(samples, 'proxbox_ha_gateway_http_requests_in_flight')).toEqual({ '': 0 });
    }
  });

  test('keeps VMIDs, tokens and unknown paths out of labels', async () => {
    for (const target of [gateway, refusedGateway, unconfiguredGateway]) {
      const { text, samples } = await scrape(target);
      const labelValues = samples.flatMap((sample) => Object.values(sample.labels));

      expect(labelValues.filter((value) => value.includes(String(DISTINCT_VMID)) || value.includes('abc'))).toEqual([]);
      expect(text).not.toContain(unknownPath);
      expect(text).not.toContain('%zz');
      expect(text).not.toContain(unknownPath.split('/')[2]);
      expect(text).not.toContain(V1_TOKENS.admin);
      expect(text).not.toContain(V1_TOKENS.noRights);
      expect(text).not.toContain(UNKNOWN_TOKEN);
      expect(text).not.toContain(API_KEY);
    }
  });

  test('is served without credentials', async () => {
    const answer = await call(`${gateway.url}/metrics`, { headers: tokenHeader(UNKNOWN_TOKEN) });

    expect(answer.status).toBe(200);
  });

  test('logs code and request ID for failures', () => {
    for (const target of [gateway, refusedGateway, unconfiguredGateway]) {
      const warnings = parsedLogs(target).filter((line) => (line.level as number) >= 40);
      for (const line of warnings) {
        expect(typeof line.code).toBe('string');
        expect(typeof line.requestId).toBe('string');
      }
    }
    const failed = parsedLogs(refusedGateway).filter((line) => line.msg === 'request failed');
    expect(failed.map((line) => line.code)).toEqual(['backend_refused']);
    const malformed = parsedLogs(gateway).filter((line) => line.code === 'malformed_request');
    expect(malformed).toHaveLength(1);
    expect(typeof malformed[0].requestId).toBe('string');
  });
});

describe('in-flight requests', () => {
  let backend: ProxboxApiSimulator;
  let gateway: RunningGateway;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator({});
    gateway = await startGateway({ PROXBOX_API_URL: backend.url, LOGIN_REQUIRED: 'false' });
  });

  afterAll(async () => {
    await gateway.close();
    await backend.close();
  });

  test('counts a request waiting on the backend', async () => {
    backend.setFault({ kind: 'hang' });
    backend.requests.length = 0;
    const client = new AbortController();
    const pending = call(`${gateway.url}${vmRoute(101)}`, { signal: client.signal }).catch((error: unknown) => error);
    await waitFor(() => backend.requests.length === 1, 'the backend request');

    const during = (await scrape(gateway)).samples;
    client.abort();
    await pending;
    await waitFor(() => parsedLogs(gateway).some((line) => line.status === 499), 'the abandoned request line');
    const after = (await scrape(gateway)).samples;

    expect(seriesOf(during, 'proxbox_ha_gateway_http_requests_in_flight')).toEqual({ '': 1 });
    expect(seriesOf(after, 'proxbox_ha_gateway_http_requests_in_flight')).toEqual({ '': 0 });
  });

  test('records a request the client abandoned', async () => {
    const { samples } = await scrape(gateway);
    const line = parsedLogs(gateway).find((entry) => entry.status === 499);

    expect(seriesOf(samples, 'proxbox_ha_gateway_http_requests_total')[`method=GET,route=${VM_PATTERN},status=499`]).toBe(1);
    expect(seriesOf(samples, 'proxbox_ha_gateway_backend_request_duration_seconds_count')).toEqual({ 'outcome=client_gone': 1 });
    expect(line).toMatchObject({ msg: 'request', route: VM_PATTERN, code: 'client_gone' });
    expect(typeof line?.requestId).toBe('string');
  });
});

describe('NetBox check failures', () => {
  let backend: ProxboxApiSimulator;
  let netbox: NetBoxSimulator;
  let gateway: RunningGateway;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator({});
    netbox = await startNetBoxSimulator();
    gateway = await startGateway({ PROXBOX_API_URL: backend.url, NETBOX_URL: netbox.url });
  });

  afterAll(async () => {
    await gateway.close();
    await backend.close();
  });

  test('times failed checks by outcome', async () => {
    netbox.setFault({ kind: 'plugin_missing' });
    const missing = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: tokenHeader(V1_TOKENS.admin) });
    await netbox.close();
    const unreachable = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: tokenHeader(V1_TOKENS.admin) });
    const { samples } = await scrape(gateway);

    expect(JSON.parse(missing.text)).toMatchObject({ code: 'netbox_plugin_missing' });
    expect(JSON.parse(unreachable.text)).toMatchObject({ code: 'netbox_unreachable' });
    expect(seriesOf(samples, 'proxbox_ha_gateway_netbox_check_duration_seconds_count')).toEqual({
      'outcome=plugin_missing': 1,
      'outcome=unreachable': 1,
    });
    expect(seriesOf(samples, 'proxbox_ha_gateway_decision_cache_lookups_total')).toEqual({ 'result=hit': 0, 'result=miss': 2 });
    expect(seriesOf(samples, 'proxbox_ha_gateway_http_requests_total')).toEqual({ [`method=GET,route=${SUMMARY_PATTERN},status=503`]: 2 });
  });
});

describe('unexpected failure', () => {
  let backend: ProxboxApiSimulator;
  let gateway: RunningGateway;

  // Created last in this file: Nest's Logger writes through the most recently created application.
  beforeAll(async () => {
    backend = await startProxboxApiSimulator({});
    gateway = await startGateway({ PROXBOX_API_URL: backend.url, LOGIN_REQUIRED: 'false' });
  });

  afterAll(async () => {
    await gateway.close();
    await backend.close();
  });

  test('logs its code and request ID', async () => {
    // An exception outside the failure catalogue, which no simulated neighbour can provoke.
    const service = gateway.app.get(ProxboxBackendService);
    jest.spyOn(service, 'fetchSummary').mockRejectedValueOnce(new TypeError('simulated defect'));

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: { 'X-Request-ID': 'defect-1' } });
    const errorLine = parsedLogs(gateway).find((line) => line.msg === 'unexpected failure');
    const requestLine = parsedLogs(gateway).find((line) => line.msg === 'request failed');
    const { samples } = await scrape(gateway);

    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text)).toMatchObject({ code: 'internal_error' });
    expect(errorLine).toMatchObject({ level: 50, code: 'internal_error', requestId: 'defect-1' });
    expect(requestLine).toMatchObject({ level: 40, code: 'internal_error', requestId: 'defect-1', status: 500 });
    expect(seriesOf(samples, 'proxbox_ha_gateway_http_requests_total')).toEqual({ [`method=GET,route=${SUMMARY_PATTERN},status=500`]: 1 });
  });
});
