import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { call, startGateway, SUMMARY_ROUTE, type RunningGateway } from './support/gateway.js';

let backend: ProxboxApiSimulator;
let gateway: RunningGateway;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: 'sim-api-key-missing-case' });
  gateway = await startGateway({ PROXBOX_API_URL: backend.url, LOGIN_REQUIRED: 'false' });
});

afterAll(async () => {
  await gateway.close();
  await backend.close();
});

test('401 without a configured key says PROXBOX_API_KEY is unset', async () => {
  const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

  expect(answer.status).toBe(502);
  expect(JSON.parse(answer.text)).toEqual({
    detail:
      'proxbox-api requires an API key (HTTP 401), but PROXBOX_API_KEY is not set, so none was sent. Set PROXBOX_API_KEY to a key proxbox-api accepts. proxbox-api says: "Invalid or missing API key."',
    code: 'backend_key_missing',
  });
  expect(backend.requests).toHaveLength(1);
  expect(backend.requests[0].headers['x-proxbox-api-key']).toBeUndefined();
});
