import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { SESSIONS, V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary } from '../simulators/sample-ha-data.js';
import { FIXTURE_SECRETS, expectLogsFreeOf, session } from './support/credentials.js';
import { call } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';

// Swagger needs plain Node, so these tests run the built server as a child process, with login required.
const API_KEY = 'sim-api-key-openapi-e04d';

interface OpenApiDocument {
  paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
  components: { securitySchemes: Record<string, Record<string, string>> };
}

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: GatewayProcess;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  gateway = await spawnGateway({ LOG_LEVEL: 'debug', PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, NETBOX_URL: netbox.url });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([backend.close(), netbox.close()]);
});

test('Swagger UI needs no credentials', async () => {
  const page = await call(`${gateway.url}/api/docs`);
  const document = await call(`${gateway.url}/api/docs-json`);

  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(document.status).toBe(200);
  expect(netbox.requests).toHaveLength(0);
});

test('Authorize offers the session cookie', async () => {
  const document = JSON.parse((await call(`${gateway.url}/api/docs-json`)).text) as OpenApiDocument;

  expect(document.components.securitySchemes['netbox-session']).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'sessionid' });
  const haPaths = Object.keys(document.paths).filter((path) => path.startsWith('/api/plugins/proxbox/ha/'));
  expect(haPaths).toHaveLength(2);
  for (const path of haPaths) {
    expect(document.paths[path].get.security).toContainEqual({ 'netbox-session': [] });
  }
});

test('Try it out works with a token', async () => {
  // Swagger UI sends the value entered under Authorize as the Authorization header, scheme included.
  const answer = await call(`${gateway.url}/api/plugins/proxbox/ha/summary`, { headers: { Authorization: `Token ${V1_TOKENS.admin}` } });

  expect(answer.status).toBe(200);
  expect(answer.text).toBe(sampleSummary());
});

test('Try it out works with a session', async () => {
  const answer = await call(`${gateway.url}/api/plugins/proxbox/ha/summary`, { headers: session(SESSIONS.admin) });

  expect(answer.status).toBe(200);
  expect(answer.text).toBe(sampleSummary());
});

test('process logs carry no credential or key', () => {
  expectLogsFreeOf([...gateway.stdoutLines, ...gateway.stderrLines], [...FIXTURE_SECRETS, API_KEY]);
});
