import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { endpointBaseUrl } from '../src/ha/netbox-backend-locator.js';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type FastApiEndpointRecord, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary } from '../simulators/sample-ha-data.js';
import { call, startGateway, SUMMARY_ROUTE, type RunningGateway } from './support/gateway.js';

const API_KEY = 'sim-api-key-discovery';

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
const gateways: RunningGateway[] = [];

function endpointFor(port: number, overrides: Partial<FastApiEndpointRecord> = {}): FastApiEndpointRecord {
  return { id: 1, name: 'proxbox-api', ip_address: { address: '127.0.0.1/32' }, domain: null, port, use_https: false, verify_ssl: true, ...overrides };
}

async function discoveringGateway(extra: Record<string, string> = {}): Promise<RunningGateway> {
  const gateway = await startGateway({
    PROXBOX_API_SOURCE: 'netbox',
    NETBOX_URL: netbox.url,
    NETBOX_TOKEN: V1_TOKENS.admin,
    PROXBOX_API_KEY: API_KEY,
    LOGIN_REQUIRED: 'false',
    ...extra,
  });
  gateways.push(gateway);
  return gateway;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
});

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  netbox.setFastApiEndpoints([]);
  netbox.requests.length = 0;
});

afterAll(async () => {
  await backend.close();
  await netbox.close();
});

describe('backend discovery from NetBox', () => {
  test('serves the backend of the first enabled endpoint', async () => {
    netbox.setFastApiEndpoints([endpointFor(1, { id: 7, enabled: false }), endpointFor(backend.port, { id: 8 })]);
    const gateway = await discoveringGateway();

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleSummary());
  });

  test('reads endpoints with the service token only', async () => {
    netbox.setFastApiEndpoints([endpointFor(backend.port)]);
    await discoveringGateway();

    const listings = netbox.requests.filter((request) => request.url.startsWith('/api/plugins/proxbox/endpoints/fastapi/'));
    expect(listings.length).toBeGreaterThanOrEqual(1);
    expect(listings[0].headers.authorization).toBe(`Token ${V1_TOKENS.admin}`);
    expect(listings[0].headers['x-proxbox-api-key']).toBeUndefined();
  });

  test('answers 503 when no endpoint exists', async () => {
    const gateway = await discoveringGateway();

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail:
        'No proxbox-api backend is configured: NetBox has no enabled FastAPIEndpoint (none exists). Add one in NetBox under Proxbox > Endpoints, or set PROXBOX_API_SOURCE=env and PROXBOX_API_URL.',
      code: 'backend_not_discovered',
    });
  });

  test('answers 503 when every endpoint is disabled', async () => {
    netbox.setFastApiEndpoints([endpointFor(backend.port, { enabled: false })]);
    const gateway = await discoveringGateway();

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toMatchObject({ code: 'backend_not_discovered' });
    expect(JSON.parse(answer.text).detail).toContain('(none is enabled with a domain or IP address)');
  });

  test('says why when NetBox rejects the service token', async () => {
    const gateway = await discoveringGateway({ NETBOX_TOKEN: 'ffffffffffffffffffffffffffffffffffffffff' });

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text).detail).toContain('(NetBox returned HTTP 403 for NETBOX_TOKEN: Invalid token)');
    const readiness = await call(`${gateway.url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(JSON.parse(readiness.text)).toMatchObject({ code: 'not_ready' });
  });

  test('picks up an endpoint added after start-up', async () => {
    const gateway = await discoveringGateway({ PROXBOX_API_REFRESH_S: '1' });
    expect((await call(`${gateway.url}${SUMMARY_ROUTE}`)).status).toBe(503);

    netbox.setFastApiEndpoints([endpointFor(backend.port)]);
    await sleep(1500);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);
    expect(answer.status).toBe(200);
    expect((await call(`${gateway.url}/readyz`)).status).toBe(200);
  });

  test('keeps the last backend while NetBox is failing', async () => {
    netbox.setFastApiEndpoints([endpointFor(backend.port)]);
    const gateway = await discoveringGateway({ PROXBOX_API_REFRESH_S: '1' });
    expect((await call(`${gateway.url}${SUMMARY_ROUTE}`)).status).toBe(200);

    netbox.setFault({ kind: 'status', status: 500 });
    try {
      await sleep(1500);
      expect((await call(`${gateway.url}${SUMMARY_ROUTE}`)).status).toBe(200);
    } finally {
      netbox.setFault(null);
    }
  });
});

describe('endpoint base URL', () => {
  test('prefers the domain over the IP address', () => {
    const url = endpointBaseUrl({ domain: 'proxbox.lab.example', ip_address: { address: '10.0.0.5/24' }, port: 8800, use_https: false });
    expect(url?.href).toBe('http://proxbox.lab.example:8800/');
  });

  test('drops the prefix length of the IP address', () => {
    expect(endpointBaseUrl({ ip_address: { address: '10.0.0.5/24' }, port: 9000, use_https: true })?.href).toBe('https://10.0.0.5:9000/');
  });

  test('brackets an IPv6 address', () => {
    expect(endpointBaseUrl({ ip_address: { address: 'fd00::5/64' }, port: 8800 })?.href).toBe('http://[fd00::5]:8800/');
  });

  test('returns null without a host', () => {
    expect(endpointBaseUrl({ domain: '', ip_address: null, port: 8800 })).toBeNull();
  });
});
