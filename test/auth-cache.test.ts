import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { DashboardAccessService } from '../src/auth/dashboard-access.service.js';
import { V1_TOKENS, V2_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { FIXTURE_SECRETS, UNKNOWN_V1_TOKEN, bearer, expectLogsFreeOf, token } from './support/credentials.js';
import { call, startGateway, SUMMARY_ROUTE, type RunningGateway } from './support/gateway.js';
import { waitFor } from './support/wait-for.js';

const API_KEY = 'sim-api-key-cache-5b7d2e';

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
/** Default TTLs (60 s allow, 10 s deny) and a generous NetBox deadline. */
let gateway: RunningGateway;
/** Allow TTL of one second. */
let shortAllow: RunningGateway;
/** Deny TTL of one second, allow TTL of 60 s. */
let shortDeny: RunningGateway;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  const common = { PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, NETBOX_URL: netbox.url, NETBOX_TIMEOUT_MS: '30000' };
  gateway = await startGateway(common);
  shortAllow = await startGateway({ ...common, AUTH_CACHE_TTL_S: '1' });
  shortDeny = await startGateway({ ...common, AUTH_DENY_CACHE_TTL_S: '1' });
});

afterAll(async () => {
  netbox.setFault(null);
  await Promise.all([gateway.close(), shortAllow.close(), shortDeny.close()]);
  await Promise.all([backend.close(), netbox.close()]);
});

afterEach(() => {
  netbox.setFault(null);
  backend.requests.length = 0;
  netbox.requests.length = 0;
});

const summary = (target: RunningGateway, key: string) => call(`${target.url}${SUMMARY_ROUTE}`, { headers: token(key) });
const cacheStats = (target: RunningGateway) => target.app.get(DashboardAccessService).cacheStats();

describe('decision cache', () => {
  test('reuses an allow within its TTL', async () => {
    const first = await summary(gateway, V1_TOKENS.admin);
    const listings = netbox.endpointListings();
    const second = await summary(gateway, V1_TOKENS.admin);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(listings).toBeGreaterThanOrEqual(1);
    expect(netbox.endpointListings()).toBe(listings);
    expect(backend.requests).toHaveLength(2);
  });

  test('asks again after the allow TTL', async () => {
    await summary(shortAllow, V1_TOKENS.proxmoxViewer);
    const listings = netbox.endpointListings();
    await sleep(1500);
    const later = await summary(shortAllow, V1_TOKENS.proxmoxViewer);

    expect(later.status).toBe(200);
    expect(netbox.endpointListings()).toBeGreaterThan(listings);
  });

  test('reuses a deny with its detail', async () => {
    const first = await summary(gateway, UNKNOWN_V1_TOKEN);
    const second = await summary(gateway, UNKNOWN_V1_TOKEN);

    expect(first.status).toBe(403);
    expect(JSON.parse(second.text)).toEqual({ detail: 'Invalid token', code: 'credentials_rejected' });
    expect(second.status).toBe(403);
    expect(netbox.endpointListings()).toBe(3);
  });

  test('asks again after the deny TTL', async () => {
    await summary(shortDeny, V1_TOKENS.noRights);
    expect(netbox.endpointListings()).toBe(3);
    await sleep(1500);
    const later = await summary(shortDeny, V1_TOKENS.noRights);

    expect(later.status).toBe(403);
    expect(JSON.parse(later.text).code).toBe('permission_denied');
    expect(netbox.endpointListings()).toBe(6);
  });

  test('keeps an allow past the deny TTL', async () => {
    await summary(shortDeny, V1_TOKENS.netboxViewer);
    const listings = netbox.endpointListings();
    await sleep(1500);
    const later = await summary(shortDeny, V1_TOKENS.netboxViewer);

    expect(later.status).toBe(200);
    expect(netbox.endpointListings()).toBe(listings);
  });

  test('checks 100 concurrent requests once', async () => {
    const before = cacheStats(gateway);
    netbox.setFault({ kind: 'held' });

    const pending = Array.from({ length: 100 }, () => summary(gateway, V1_TOKENS.fastapiViewer));
    // Wait until all 100 requests have reached the cache, while NetBox keeps its responses back.
    await waitFor('all 100 requests to reach the cache', () => {
      const now = cacheStats(gateway);
      return now.hits + now.misses - before.hits - before.misses === 100;
    });
    netbox.setFault(null);
    const answers = await Promise.all(pending);

    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 100 }, () => 200));
    expect(netbox.endpointListings()).toBeGreaterThanOrEqual(1);
    expect(netbox.endpointListings()).toBeLessThanOrEqual(3);
    const after = cacheStats(gateway);
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(99);
  });
});

describe('NetBox listings', () => {
  test('aborts the rest after the first 200', async () => {
    netbox.setFault({ kind: 'hang', models: ['netbox', 'fastapi'] });
    const abortedBefore = netbox.abortedListings();

    // A credential this gateway has not cached yet, with the view right on ProxmoxEndpoint only.
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: bearer(V2_TOKENS.proxmoxViewer) });

    expect(answer.status).toBe(200);
    await waitFor('the two hanging listings to be aborted', () => netbox.abortedListings() - abortedBefore === 2);
  });
});

describe('logs', () => {
  test('carry no credential or key', () => {
    for (const target of [gateway, shortAllow, shortDeny]) {
      expectLogsFreeOf(target.logs, [...FIXTURE_SECRETS, API_KEY]);
    }
  });
});
