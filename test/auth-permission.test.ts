import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { SESSIONS, V1_TOKENS, V2_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary, sampleVmResource } from '../simulators/sample-ha-data.js';
import {
  FIXTURE_SECRETS,
  UNKNOWN_V1_TOKEN,
  bearer,
  expectLogsFreeOf,
  expectNoCredentialHeaders,
  session,
  token,
} from './support/credentials.js';
import { call, startGateway, SUMMARY_ROUTE, vmRoute, type RunningGateway } from './support/gateway.js';

const API_KEY = 'sim-api-key-permission-4f1c9e';
const PERMISSION_DENIED = {
  detail: 'This NetBox user lacks view permission on ProxmoxEndpoint, NetBoxEndpoint and FastAPIEndpoint. Grant one of them to use the HA API.',
  code: 'permission_denied',
};
const LISTINGS = [
  '/api/plugins/proxbox/endpoints/fastapi/?limit=1',
  '/api/plugins/proxbox/endpoints/netbox/?limit=1',
  '/api/plugins/proxbox/endpoints/proxmox/?limit=1',
];

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: RunningGateway;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  // Caching is off so that every request shows its own NetBox listings.
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
  backend.requests.length = 0;
  netbox.requests.length = 0;
});

const summary = (headers: Record<string, string>) => call(`${gateway.url}${SUMMARY_ROUTE}`, { headers });

describe('view rights', () => {
  test.each([
    ['ProxmoxEndpoint only', V1_TOKENS.proxmoxViewer],
    ['NetBoxEndpoint only', V1_TOKENS.netboxViewer],
    ['FastAPIEndpoint only', V1_TOKENS.fastapiViewer],
    ['a superuser without explicit rights', V1_TOKENS.admin],
  ])('allows %s', async (_label, key) => {
    const answer = await summary(token(key));

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleSummary());
    expect(backend.requests).toHaveLength(1);
  });

  test('rejects a user without rights', async () => {
    const answer = await summary(token(V1_TOKENS.noRights));

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual(PERMISSION_DENIED);
    expect(backend.requests).toHaveLength(0);
  });

  test('gates the per-VM route too', async () => {
    const denied = await call(`${gateway.url}${vmRoute(101)}`, { headers: token(V1_TOKENS.noRights) });
    const allowed = await call(`${gateway.url}${vmRoute(101)}`, { headers: token(V1_TOKENS.netboxViewer) });

    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.text)).toEqual(PERMISSION_DENIED);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toBe(sampleVmResource(101));
    expect(backend.requests.map((request) => request.url)).toEqual(['/proxmox/cluster/ha/resources/by-vm/101']);
  });

  test('gates HEAD like GET', async () => {
    const denied = await call(`${gateway.url}${SUMMARY_ROUTE}`, { method: 'HEAD', headers: token(V1_TOKENS.noRights) });
    const allowed = await call(`${gateway.url}${SUMMARY_ROUTE}`, { method: 'HEAD', headers: token(V1_TOKENS.admin) });

    expect(denied.status).toBe(403);
    expect(allowed.status).toBe(200);
    expect(backend.requests).toHaveLength(1);
  });
});

describe('credentials NetBox rejects', () => {
  test.each([
    ['an unknown token', token(UNKNOWN_V1_TOKEN), 'Invalid token'],
    ['an expired token', token(V1_TOKENS.expired), 'Token expired'],
    ['an inactive user', token(V1_TOKENS.inactive), 'User inactive'],
    ['an expired v2 token', bearer(V2_TOKENS.expired), 'Token expired'],
    ['an unknown session', session('nosuchsession0000000000000000000'), 'Authentication credentials were not provided.'],
  ])('passes on NetBox detail for %s', async (_label, headers, detail) => {
    const answer = await summary(headers);

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual({ detail, code: 'credentials_rejected' });
    expect(backend.requests).toHaveLength(0);
  });
});

describe('v2 tokens and sessions', () => {
  test('allows a v2 token with a view right', async () => {
    const answer = await summary(bearer(V2_TOKENS.proxmoxViewer));

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleSummary());
  });

  test('rejects a v2 token without rights', async () => {
    const answer = await summary(bearer(V2_TOKENS.noRights));

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual(PERMISSION_DENIED);
  });

  test('allows a superuser session cookie', async () => {
    const answer = await summary(session(SESSIONS.admin));

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleSummary());
  });

  test('rejects a session without rights', async () => {
    const answer = await summary(session(SESSIONS.noRights));

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual(PERMISSION_DENIED);
  });

  test('allows a lowercase token scheme', async () => {
    const answer = await summary({ Authorization: `token ${V1_TOKENS.admin}` });

    expect(answer.status).toBe(200);
    expect(netbox.requests[0].headers.authorization).toBe(`token ${V1_TOKENS.admin}`);
  });
});

describe('where credentials go', () => {
  test('asks NetBox for all three collections', async () => {
    await summary(token(V1_TOKENS.noRights));

    expect(netbox.requests.map((request) => request.url).sort()).toEqual(LISTINGS);
    for (const request of netbox.requests) {
      expect(request.method).toBe('GET');
      expect(request.headers.authorization).toBe(`Token ${V1_TOKENS.noRights}`);
      expect(request.headers.cookie).toBeUndefined();
    }
  });

  test('forwards a v2 token unchanged', async () => {
    await summary(bearer(V2_TOKENS.noRights));

    expect(netbox.requests).toHaveLength(3);
    for (const request of netbox.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${V2_TOKENS.noRights}`);
    }
  });

  test('forwards the session cookie alone', async () => {
    await summary(session(SESSIONS.noRights));

    expect(netbox.requests).toHaveLength(3);
    for (const request of netbox.requests) {
      expect(request.headers.cookie).toBe(`sessionid=${SESSIONS.noRights}`);
      expect(request.headers.authorization).toBeUndefined();
    }
  });

  test.each([
    ['a v1 token', token(V1_TOKENS.admin), V1_TOKENS.admin],
    ['a v2 token', bearer(V2_TOKENS.proxmoxViewer), V2_TOKENS.proxmoxViewer],
    ['a session cookie', session(SESSIONS.admin), SESSIONS.admin],
  ])('keeps %s away from proxbox-api', async (_label, headers, secret) => {
    const answer = await summary(headers);

    expect(answer.status).toBe(200);
    expect(backend.requests).toHaveLength(1);
    expectNoCredentialHeaders(backend.requests);
    expect(JSON.stringify(backend.requests[0].headers)).not.toContain(secret);
    expect(backend.requests[0].headers['x-proxbox-api-key']).toBe(API_KEY);
  });

  test('keeps the API key away from NetBox', async () => {
    await summary(token(V1_TOKENS.admin));
    await summary(session(SESSIONS.noRights));

    expect(netbox.requests.length).toBeGreaterThan(0);
    for (const request of netbox.requests) {
      expect(request.headers['x-proxbox-api-key']).toBeUndefined();
      expect(JSON.stringify(request.headers)).not.toContain(API_KEY);
    }
  });

  test('leaves the probes ungated', async () => {
    const liveness = await call(`${gateway.url}/healthz`);
    const readiness = await call(`${gateway.url}/readyz`);

    expect(liveness.status).toBe(200);
    expect(JSON.parse(liveness.text)).toEqual({ status: 'ok' });
    expect(readiness.status).toBe(200);
    expect(JSON.parse(readiness.text)).toEqual({ status: 'ready' });
    expect(netbox.requests).toHaveLength(0);
  });
});

describe('logs', () => {
  test('carry no credential or key', () => {
    expect(gateway.logs.some((line) => line.includes('"credential decision"'))).toBe(true);
    expectLogsFreeOf(gateway.logs, [...FIXTURE_SECRETS, API_KEY]);
  });
});
