import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { redactSecrets } from '../src/ha/gateway-failures.js';
import { call, startGateway, SUMMARY_ROUTE, type RunningGateway } from './support/gateway.js';

// A one-letter token cannot be a real NetBox credential, and replacing every
// "o" in NetBox's detail with [redacted] would only garble the message.

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: RunningGateway;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: 'sim-api-key-short-secrets' });
  netbox = await startNetBoxSimulator();
  gateway = await startGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: 'e', NETBOX_URL: netbox.url });
});

afterAll(async () => {
  await gateway.close();
  await Promise.all([backend.close(), netbox.close()]);
});

test('one-letter token keeps NetBox detail readable', async () => {
  const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: { Authorization: 'Token o' } });

  expect(answer.status).toBe(403);
  expect(JSON.parse(answer.text)).toEqual({ detail: 'Invalid token', code: 'credentials_rejected' });
});

test('redaction skips values too short to be secrets', () => {
  expect(redactSecrets('Invalid or missing API key.', ['e'])).toBe('Invalid or missing API key.');
  expect(redactSecrets('bad key 0123456789abcdef given', ['0123456789abcdef'])).toBe('bad key [redacted] given');
});
