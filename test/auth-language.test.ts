import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { FIXTURE_SECRETS, UNKNOWN_V1_TOKEN, expectLogsFreeOf, token } from './support/credentials.js';
import { call, startGateway, SUMMARY_ROUTE, type RunningGateway } from './support/gateway.js';

// NetBox translates Django REST framework's messages into its DEFAULT_LANGUAGE, here German.
const API_KEY = 'sim-api-key-language-2c5a';

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: RunningGateway;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator({ defaultLanguage: 'de' });
  gateway = await startGateway({
    PROXBOX_API_URL: backend.url,
    PROXBOX_API_KEY: API_KEY,
    NETBOX_URL: netbox.url,
    AUTH_CACHE_TTL_S: '0',
    AUTH_DENY_CACHE_TTL_S: '0',
  });
});

afterAll(async () => {
  await gateway.close();
  await Promise.all([backend.close(), netbox.close()]);
});

afterEach(() => {
  netbox.requests.length = 0;
});

test('German NetBox still denies permission', async () => {
  const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: token(V1_TOKENS.noRights) });

  expect(answer.status).toBe(403);
  expect(JSON.parse(answer.text)).toEqual({
    detail: 'This NetBox user lacks view permission on ProxmoxEndpoint, NetBoxEndpoint and FastAPIEndpoint. Grant one of them to use the HA API.',
    code: 'permission_denied',
  });
});

test('German NetBox rejects an unknown token', async () => {
  const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: token(UNKNOWN_V1_TOKEN) });

  expect(answer.status).toBe(403);
  expect(JSON.parse(answer.text)).toEqual({ detail: 'Invalid token', code: 'credentials_rejected' });
});

test('German NetBox allows a view right', async () => {
  const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: token(V1_TOKENS.fastapiViewer) });

  expect(answer.status).toBe(200);
});

test('logs carry no credential or key', () => {
  expectLogsFreeOf(gateway.logs, [...FIXTURE_SECRETS, API_KEY]);
});
