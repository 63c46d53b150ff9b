import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { DashboardAccessService } from '../src/auth/dashboard-access.service.js';
import { SESSIONS, V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { FIXTURE_SECRETS, expectLogsFreeOf, session, token } from './support/credentials.js';
import { call, startGateway, SUMMARY_ROUTE, type RunningGateway } from './support/gateway.js';

// Nest's Logger is shared by every app in a process, so this file starts a single gateway: a second
// one would capture the DashboardAccessService lines of the first.
const API_KEY = 'sim-api-key-debug-log-c81f';

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: RunningGateway;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  gateway = await startGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, NETBOX_URL: netbox.url, LOG_LEVEL: 'debug' });
});

afterAll(async () => {
  await gateway.close();
  await Promise.all([backend.close(), netbox.close()]);
});

function decisionLines(): Record<string, unknown>[] {
  return gateway.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'credential decision');
}

test('debug log counts cache hits and misses', async () => {
  await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: token(V1_TOKENS.admin) });
  await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: token(V1_TOKENS.admin) });
  await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: session(SESSIONS.noRights) });

  const lines = decisionLines();
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatchObject({ level: 20, kind: 'token_v1', allowed: true, cache: { hits: 0, misses: 1, size: 1 } });
  expect(lines[1]).toMatchObject({ level: 20, kind: 'token_v1', allowed: true, cache: { hits: 1, misses: 1, size: 1 } });
  expect(lines[2]).toMatchObject({ level: 20, kind: 'session', allowed: false, cache: { hits: 1, misses: 2, size: 2 } });
});

test('cacheStats exposes the same counts', () => {
  expect(gateway.app.get(DashboardAccessService).cacheStats()).toEqual({ hits: 1, misses: 2, size: 2 });
});

test('debug log carries no credential or key', () => {
  expectLogsFreeOf(gateway.logs, [...FIXTURE_SECRETS, API_KEY]);
});
