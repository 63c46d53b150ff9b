import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary, sampleVmResource } from '../simulators/sample-ha-data.js';
import { call, rawCall, startGateway, SUMMARY_ROUTE, vmRoute, type RunningGateway } from './support/gateway.js';

const API_KEY = 'sim-api-key-routes';

let backend: ProxboxApiSimulator;
let gateway: RunningGateway;

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
  backend.setSummary(sampleSummary());
  backend.requests.length = 0;
});

describe('summary route', () => {
  test('forwards the backend body byte for byte', async () => {
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.text).toBe(sampleSummary());
  });

  test('keeps big integers, key order, escapes and number spellings', async () => {
    const body = '{"z":1,"big":9007199254740993123,"a":"caf\\u00e9 \u00e9t\u00e9 \ud83d\ude80","n":1.50e+3,"neg":-0.0,"status":[],"rules":[]}';
    backend.setSummary(body);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(200);
    expect(answer.bytes.equals(Buffer.from(body))).toBe(true);
  });

  test('forwards a 2 MB summary unchanged', async () => {
    const resources = Array.from({ length: 9000 }, (_, index) => ({ sid: `vm:${1000 + index}`, type: 'vm', state: 'started', node: `pve${index % 7}` }));
    const body = JSON.stringify({ status: [], groups: [], resources, rules: [], padding: 'x'.repeat(1_500_000) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(2_000_000);
    backend.setSummary(body);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(200);
    expect(answer.bytes.length).toBe(Buffer.byteLength(body));
    expect(answer.bytes.equals(Buffer.from(body))).toBe(true);
  });

  test('sends a JSON null summary on as null', async () => {
    backend.setSummary('null');

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('null');
  });

  test('answers a cluster without HA with empty lists', async () => {
    const empty = '{"status":[],"groups":[],"resources":[],"rules":[]}';
    backend.setSummary(empty);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(empty);
  });

  test('makes one backend request with the key and request ID only', async () => {
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}?limit=5&token=abc`, {
      headers: { 'X-Request-ID': 'trace-42', 'X-Custom': 'client-only' },
    });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toBe('trace-42');
    expect(backend.requests).toHaveLength(1);
    const [forwarded] = backend.requests;
    expect(forwarded.url).toBe('/proxmox/cluster/ha/summary');
    expect(forwarded.headers['x-proxbox-api-key']).toBe(API_KEY);
    expect(forwarded.headers['x-request-id']).toBe('trace-42');
    expect(forwarded.headers['x-custom']).toBeUndefined();
  });

  test('accepts the route without its trailing slash', async () => {
    const answer = await call(`${gateway.url}/api/plugins/proxbox/ha/summary`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleSummary());
  });

  test('answers HEAD like GET without a body', async () => {
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { method: 'HEAD' });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.bytes.length).toBe(0);
  });
});

describe('per-VM route', () => {
  test('forwards an HA-managed VM record unchanged', async () => {
    const answer = await call(`${gateway.url}${vmRoute(101)}`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleVmResource(101));
    expect(JSON.parse(answer.text)).toMatchObject({ sid: 'vm:101', type: 'vm' });
  });

  test('resolves a container through the same route', async () => {
    const answer = await call(`${gateway.url}${vmRoute(205)}`);

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ sid: 'ct:205', type: 'ct' });
  });

  test('turns a backend null into an empty object', async () => {
    const answer = await call(`${gateway.url}${vmRoute(150)}`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{}');
  });

  test('forwards the VMID in canonical form', async () => {
    const answer = await call(`${gateway.url}${vmRoute('0101')}`);

    expect(answer.status).toBe(200);
    expect(backend.requests.map((request) => request.url)).toEqual(['/proxmox/cluster/ha/resources/by-vm/101']);
  });

  test.each([
    ['letters', 'abc'],
    ['a negative number', '-1'],
    ['a number below 100', '99'],
    ['a number above 999999999', '1000000000'],
    ['an exponent', '1e3'],
    ['encoded dots', '%2e%2e'],
    ['an encoded slash', '1%2F2'],
    ['a 5000-digit number', '1'.repeat(5000)],
    ['Arabic-Indic digits', '%D9%A1%D9%A0%D9%A1'],
    ['a .json suffix', '101.json'],
    ['a decimal point', '101.0'],
    ['a plus sign', '+101'],
  ])('rejects %s with 400 and no backend call', async (_label, vmid) => {
    const answer = await rawCall(gateway.url, `/api/plugins/proxbox/ha/vm/${vmid}/`);

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      detail: 'The VMID in the path must be a decimal number from 100 to 999999999, the range Proxmox VE allows.',
      code: 'invalid_vmid',
    });
    expect(backend.requests).toHaveLength(0);
  });

  test('accepts the bounds of the Proxmox range', async () => {
    expect((await call(`${gateway.url}${vmRoute(100)}`)).status).toBe(200);
    expect((await call(`${gateway.url}${vmRoute(999999999)}`)).status).toBe(200);
    expect(backend.requests.map((request) => request.url)).toEqual([
      '/proxmox/cluster/ha/resources/by-vm/100',
      '/proxmox/cluster/ha/resources/by-vm/999999999',
    ]);
  });
});

describe('caching headers', () => {
  test('marks both routes as not storable', async () => {
    const summary = await call(`${gateway.url}${SUMMARY_ROUTE}`);
    const vm = await call(`${gateway.url}${vmRoute('101')}`);

    expect(summary.status).toBe(200);
    expect(summary.headers.get('cache-control')).toBe('no-store');
    expect(vm.status).toBe(200);
    expect(vm.headers.get('cache-control')).toBe('no-store');
  });

  test('marks error answers as not storable', async () => {
    const invalid = await call(`${gateway.url}${vmRoute('abc')}`);

    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('cache-control')).toBe('no-store');
  });
});
