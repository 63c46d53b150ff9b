import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { FIXTURE_SECRETS, expectLogsFreeOf, token } from './support/credentials.js';
import { call, startGateway, SUMMARY_ROUTE, type RunningGateway } from './support/gateway.js';
import { TEST_CERTIFICATE_FILE, testCertificate } from './support/tls-fixtures.js';

const API_KEY = 'sim-api-key-netbox-tls-6f0b';

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let plainNetbox: NetBoxSimulator;
const gateways: RunningGateway[] = [];

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator({ tls: testCertificate() });
  plainNetbox = await startNetBoxSimulator();
});

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await Promise.all([backend.close(), netbox.close(), plainNetbox.close()]);
});

async function summaryThrough(env: Record<string, string>) {
  const gateway = await startGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, NETBOX_URL: netbox.url, ...env });
  gateways.push(gateway);
  return call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: token(V1_TOKENS.admin) });
}

const UNTRUSTED = () => ({
  detail: `TLS verification of NetBox at ${netbox.url} failed (DEPTH_ZERO_SELF_SIGNED_CERT). Set NETBOX_CA_FILE to its CA bundle, or NETBOX_VERIFY_TLS=false to turn verification off.`,
  code: 'netbox_tls',
});

test('rejects an untrusted NetBox certificate', async () => {
  const answer = await summaryThrough({});

  expect(answer.status).toBe(503);
  expect(JSON.parse(answer.text)).toEqual(UNTRUSTED());
  expect(backend.requests).toHaveLength(0);
});

test('trusts NetBox through NETBOX_CA_FILE', async () => {
  const answer = await summaryThrough({ NETBOX_CA_FILE: TEST_CERTIFICATE_FILE });

  expect(answer.status).toBe(200);
});

test('skips verification with NETBOX_VERIFY_TLS=false', async () => {
  const answer = await summaryThrough({ NETBOX_VERIFY_TLS: 'false' });

  expect(answer.status).toBe(200);
});

test('ignores the backend TLS settings', async () => {
  const answer = await summaryThrough({ PROXBOX_API_VERIFY_TLS: 'false', PROXBOX_API_CA_FILE: TEST_CERTIFICATE_FILE });

  expect(answer.status).toBe(503);
  expect(JSON.parse(answer.text)).toEqual(UNTRUSTED());
});

test('reports HTTPS sent to plain HTTP', async () => {
  const answer = await summaryThrough({ NETBOX_URL: plainNetbox.url.replace('http://', 'https://') });

  expect(answer.status).toBe(503);
  expect(JSON.parse(answer.text)).toEqual({
    detail: `NetBox at ${new URL(plainNetbox.url.replace('http://', 'https://')).origin} answered an HTTPS request in plain HTTP. Use http:// in NETBOX_URL.`,
    code: 'netbox_speaks_http',
  });
});

test('logs carry no credential or key', () => {
  for (const gateway of gateways) {
    expectLogsFreeOf(gateway.logs, [...FIXTURE_SECRETS, API_KEY]);
  }
});
