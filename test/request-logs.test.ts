import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { call, rawCall, startGateway, SUMMARY_ROUTE, vmRoute, type RunningGateway } from './support/gateway.js';
import { waitFor } from './support/wait-for.js';

const API_KEY = 'sim-api-key-that-must-never-be-logged';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface RequestLine {
  msg: string;
  requestId: string;
  method: string;
  route: string | null;
  path: string;
  status: number;
  ms: number;
  backendMs: number | null;
  code: string | null;
}

let backend: ProxboxApiSimulator;
let gateway: RunningGateway;

/** Returns the gateway's request log lines (the ones with a status), optionally for one request ID. */
function requestLines(requestId?: string): RequestLine[] {
  return gateway.logs
    .map((line) => JSON.parse(line) as Partial<RequestLine>)
    .filter((entry): entry is RequestLine => typeof entry.status === 'number')
    .filter((entry) => requestId === undefined || entry.requestId === requestId);
}

/** Waits for the request's log line, which the gateway writes just after the response is sent. */
async function onlyRequestLine(requestId: string): Promise<RequestLine> {
  await waitFor(`the log line of request ${requestId}`, () => requestLines(requestId).length > 0);
  const lines = requestLines(requestId);
  expect(lines).toHaveLength(1);
  return lines[0];
}

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  gateway = await startGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, LOGIN_REQUIRED: 'false' });
});

afterAll(async () => {
  await gateway.close();
  await backend.close();
});

afterEach(() => {
  backend.setFault(null);
  backend.requests.length = 0;
  backend.abandonedRequests.length = 0;
});

describe('request log line', () => {
  test('success writes one complete line', async () => {
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}?token=should-not-be-logged`, { headers: { 'X-Request-ID': 'log-success-1' } });
    expect(answer.status).toBe(200);

    const line = await onlyRequestLine('log-success-1');

    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      service: 'proxbox-ha-gateway',
      msg: 'request',
      requestId: 'log-success-1',
      method: 'GET',
      route: '/api/plugins/proxbox/ha/summary',
      path: SUMMARY_ROUTE,
      status: 200,
      ms: expect.any(Number),
      backendMs: expect.any(Number),
      code: null,
    });
  });

  test('backend failure carries its code', async () => {
    backend.setFault({ kind: 'status', status: 500 });

    const answer = await call(`${gateway.url}${vmRoute(101)}`, { headers: { 'X-Request-ID': 'log-failure-1' } });
    expect(answer.status).toBe(502);

    const line = await onlyRequestLine('log-failure-1');

    expect(line.msg).toBe('request failed');
    expect(line.route).toBe('/api/plugins/proxbox/ha/vm/:vmid');
    expect(line.status).toBe(502);
    expect(line.code).toBe('backend_http_error');
    expect(line.backendMs).toEqual(expect.any(Number));
  });

  test('invalid VMID has no backend time', async () => {
    const answer = await call(`${gateway.url}${vmRoute('abc')}`, { headers: { 'X-Request-ID': 'log-vmid-1' } });
    expect(answer.status).toBe(400);

    const line = await onlyRequestLine('log-vmid-1');

    expect(line.status).toBe(400);
    expect(line.code).toBe('invalid_vmid');
    expect(line.backendMs).toBeNull();
    expect(line.ms).toEqual(expect.any(Number));
  });

  test('client disconnect writes one line', async () => {
    backend.setFault({ kind: 'hang' });
    const { hostname, port } = new URL(gateway.url);
    const client = httpRequest({ host: hostname, port, path: SUMMARY_ROUTE, agent: false, headers: { 'X-Request-ID': 'log-gone-1' } });
    client.on('error', () => undefined);
    client.end();

    await waitFor('the backend to receive the request', () => backend.requests.length === 1);
    client.destroy();
    await waitFor('the backend connection to close', () => backend.abandonedRequests.length === 1);

    const line = await onlyRequestLine('log-gone-1');

    expect(line.status).toBe(499);
    expect(line.code).toBe('client_gone');
    expect(line.route).toBe('/api/plugins/proxbox/ha/summary');
    expect(line.backendMs).toEqual(expect.any(Number));
  });
});

describe('X-Request-ID', () => {
  test('accepted ID is echoed and forwarded', async () => {
    const id = 'a'.repeat(128);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: { 'X-Request-ID': id } });

    expect(answer.headers.get('x-request-id')).toBe(id);
    expect(backend.requests[0].headers['x-request-id']).toBe(id);
    expect((await onlyRequestLine(id)).status).toBe(200);
  });

  test('missing ID is generated', async () => {
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    const id = answer.headers.get('x-request-id') ?? '';
    expect(id).toMatch(UUID);
    expect(backend.requests[0].headers['x-request-id']).toBe(id);
    expect((await onlyRequestLine(id)).status).toBe(200);
  });

  test.each([
    ['longer than 128 characters', `too-long-${'b'.repeat(120)}`],
    ['with a space', 'spaced-id one'],
    ['with a tab', 'tabbed-id\tone'],
    ['with a non-ASCII byte', 'latin-id-\u00e9'],
  ])('ID %s is replaced, never logged', async (_label, id) => {
    const answer = await rawCall(gateway.url, SUMMARY_ROUTE, { 'X-Request-ID': id });

    expect(answer.status).toBe(200);
    const replacement = answer.headers.get('x-request-id') ?? '';
    expect(replacement).toMatch(UUID);
    expect(backend.requests[0].headers['x-request-id']).toBe(replacement);
    expect((await onlyRequestLine(replacement)).status).toBe(200);
    const rawStart = id.slice(0, 9);
    expect(gateway.logs.filter((line) => line.includes(rawStart))).toEqual([]);
  });
});

describe('API key in logs', () => {
  test('key appears in no log line', async () => {
    const linesBefore = requestLines().length;
    const faults = [
      null,
      { kind: 'status', status: 500 } as const,
      { kind: 'redirect', location: 'http://127.0.0.1:1/elsewhere' } as const,
      { kind: 'reset_mid_body' } as const,
      { kind: 'body', body: 'not json' } as const,
      { kind: 'ha_missing' } as const,
    ];
    for (const fault of faults) {
      backend.setFault(fault);
      await call(`${gateway.url}${SUMMARY_ROUTE}`);
      await call(`${gateway.url}${vmRoute(101)}`);
    }
    await call(`${gateway.url}${vmRoute('abc')}`);
    await call(`${gateway.url}/api/plugins/proxbox/ha/nowhere/`);

    await waitFor('all 14 requests to be logged', () => requestLines().length === linesBefore + 14);
    expect(backend.requests.every((request) => request.headers['x-proxbox-api-key'] === API_KEY)).toBe(true);
    expect(gateway.logs.filter((line) => line.includes(API_KEY))).toEqual([]);
  });
});
