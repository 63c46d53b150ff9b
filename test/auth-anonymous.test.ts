import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary } from '../simulators/sample-ha-data.js';
import { FIXTURE_SECRETS, UNKNOWN_V1_TOKEN, expectLogsFreeOf, token } from './support/credentials.js';
import { call, startGateway, SUMMARY_ROUTE, type RunningGateway } from './support/gateway.js';

const API_KEY = 'sim-api-key-anonymous-7d2b0a';

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let loginRequired: RunningGateway;
let openGateway: RunningGateway;
let withoutNetBox: RunningGateway;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  const common = { PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, AUTH_CACHE_TTL_S: '0', AUTH_DENY_CACHE_TTL_S: '0' };
  loginRequired = await startGateway({ ...common, NETBOX_URL: netbox.url });
  openGateway = await startGateway({ ...common, NETBOX_URL: netbox.url, LOGIN_REQUIRED: 'false' });
  withoutNetBox = await startGateway({ ...common, LOGIN_REQUIRED: 'false' });
});

afterAll(async () => {
  await Promise.all([loginRequired.close(), openGateway.close(), withoutNetBox.close()]);
  await Promise.all([backend.close(), netbox.close()]);
});

afterEach(() => {
  backend.requests.length = 0;
  netbox.requests.length = 0;
});

describe('LOGIN_REQUIRED=true', () => {
  test('rejects a request without credentials', async () => {
    const answer = await call(`${loginRequired.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual({
      detail:
        'Authentication credentials were not provided. Send "Authorization: Token <key>", "Authorization: Bearer nbt_<key>.<secret>" or a NetBox session cookie.',
      code: 'credentials_missing',
    });
    expect(netbox.requests).toHaveLength(0);
    expect(backend.requests).toHaveLength(0);
  });

  test('treats other cookies as no credentials', async () => {
    const answer = await call(`${loginRequired.url}${SUMMARY_ROUTE}`, { headers: { Cookie: 'csrftoken=abc123; theme=dark' } });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text).code).toBe('credentials_missing');
    expect(netbox.requests).toHaveLength(0);
  });

  test('leaves the probes ungated', async () => {
    const liveness = await call(`${loginRequired.url}/healthz`);
    const readiness = await call(`${loginRequired.url}/readyz`);

    expect(liveness.status).toBe(200);
    expect(readiness.status).toBe(200);
    expect(netbox.requests).toHaveLength(0);
  });
});

describe('LOGIN_REQUIRED=false', () => {
  test('serves anonymous requests without NetBox', async () => {
    const answer = await call(`${openGateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleSummary());
    expect(netbox.requests).toHaveLength(0);
  });

  test('still rejects an invalid token', async () => {
    const answer = await call(`${openGateway.url}${SUMMARY_ROUTE}`, { headers: token(UNKNOWN_V1_TOKEN) });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual({ detail: 'Invalid token', code: 'credentials_rejected' });
    expect(netbox.requests).toHaveLength(3);
    expect(backend.requests).toHaveLength(0);
  });

  test('still checks view rights', async () => {
    const denied = await call(`${openGateway.url}${SUMMARY_ROUTE}`, { headers: token(V1_TOKENS.noRights) });
    const allowed = await call(`${openGateway.url}${SUMMARY_ROUTE}`, { headers: token(V1_TOKENS.proxmoxViewer) });

    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.text).code).toBe('permission_denied');
    expect(allowed.status).toBe(200);
    expect(backend.requests).toHaveLength(1);
  });

  test('returns 503 for a credential without NETBOX_URL', async () => {
    const anonymous = await call(`${withoutNetBox.url}${SUMMARY_ROUTE}`);
    const withToken = await call(`${withoutNetBox.url}${SUMMARY_ROUTE}`, { headers: token(V1_TOKENS.admin) });

    expect(anonymous.status).toBe(200);
    expect(withToken.status).toBe(503);
    expect(JSON.parse(withToken.text)).toEqual({
      detail:
        'The request carries a NetBox credential, but NETBOX_URL is not set, so the gateway cannot check it. Set NETBOX_URL, or send the request without credentials.',
      code: 'netbox_not_configured',
    });
    expect(backend.requests).toHaveLength(1);
  });
});

describe('logs', () => {
  test('carry no credential or key', () => {
    for (const gateway of [loginRequired, openGateway, withoutNetBox]) {
      expectLogsFreeOf(gateway.logs, [...FIXTURE_SECRETS, API_KEY]);
    }
  });
});
