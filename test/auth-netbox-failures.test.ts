import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { FIXTURE_SECRETS, expectLogsFreeOf, token } from './support/credentials.js';
import { call, startGateway, SUMMARY_ROUTE, type RunningGateway } from './support/gateway.js';
import { waitFor } from './support/wait-for.js';

const API_KEY = 'sim-api-key-netbox-failures-91e3';

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: RunningGateway;
let shortDeadline: RunningGateway;
let netboxDown: RunningGateway;
let downOrigin: string;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();

  // A NetBox that has stopped: its port is closed, so connections are refused.
  const stopped = await startNetBoxSimulator();
  downOrigin = stopped.url;
  await stopped.close();

  const common = { PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY };
  gateway = await startGateway({ ...common, NETBOX_URL: netbox.url });
  shortDeadline = await startGateway({ ...common, NETBOX_URL: netbox.url, NETBOX_TIMEOUT_MS: '400' });
  netboxDown = await startGateway({ ...common, NETBOX_URL: downOrigin });
});

afterAll(async () => {
  await Promise.all([gateway.close(), shortDeadline.close(), netboxDown.close()]);
  await Promise.all([backend.close(), netbox.close()]);
});

afterEach(() => {
  netbox.setFault(null);
  backend.requests.length = 0;
  netbox.requests.length = 0;
});

const summary = (target: RunningGateway) => call(`${target.url}${SUMMARY_ROUTE}`, { headers: token(V1_TOKENS.admin) });

describe('NetBox failures', () => {
  test('returns 503 when NetBox is down', async () => {
    const answer = await summary(netboxDown);

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `Could not reach NetBox at ${downOrigin} to check the credential (ECONNREFUSED). Check NETBOX_URL and that NetBox is running.`,
      code: 'netbox_unreachable',
    });
    expect(backend.requests).toHaveLength(0);
  });

  test('returns 503 past the NetBox deadline', async () => {
    netbox.setFault({ kind: 'slow', delayMs: 5000 });
    const abortedBefore = netbox.abortedListings();

    const answer = await summary(shortDeadline);

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `NetBox at ${netbox.url} did not answer the credential check within 0.4 s (NETBOX_TIMEOUT_MS).`,
      code: 'netbox_timeout',
    });
    expect(backend.requests).toHaveLength(0);
    await waitFor('the three listings to be aborted', () => netbox.abortedListings() - abortedBefore === 3);
  });

  test.each([500, 502, 503])('returns 503 for NetBox HTTP %i', async (status) => {
    netbox.setFault({ kind: 'status', status });

    const answer = await summary(gateway);

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `NetBox at ${netbox.url} answered the credential check with HTTP ${status}. Check NetBox's logs.`,
      code: 'netbox_error',
    });
    expect(backend.requests).toHaveLength(0);
  });

  test('returns 503 when the plugin is missing', async () => {
    netbox.setFault({ kind: 'plugin_missing' });

    const answer = await summary(gateway);

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `NetBox at ${netbox.url} has no netbox-proxbox plugin API (404 on /api/plugins/proxbox/endpoints/). Install and enable the netbox-proxbox plugin, or fix NETBOX_URL.`,
      code: 'netbox_plugin_missing',
    });
    expect(backend.requests).toHaveLength(0);
  });

  test('returns 503 for a non-NetBox page', async () => {
    netbox.setFault({ kind: 'html', status: 200 });

    const answer = await summary(gateway);

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `NetBox at ${netbox.url} answered the credential check with HTTP 200 and a body that is not NetBox's JSON. Check that NETBOX_URL points at NetBox itself.`,
      code: 'netbox_invalid_answer',
    });
    expect(backend.requests).toHaveLength(0);
  });

  test('does not cache a NetBox failure', async () => {
    netbox.setFault({ kind: 'status', status: 500 });
    const failed = await summary(gateway);
    netbox.setFault(null);
    const recovered = await summary(gateway);

    expect(failed.status).toBe(503);
    expect(recovered.status).toBe(200);
    expect(backend.requests).toHaveLength(1);
  });
});

describe('logs', () => {
  test('carry no credential or key', () => {
    for (const target of [gateway, shortDeadline, netboxDown]) {
      expectLogsFreeOf(target.logs, [...FIXTURE_SECRETS, API_KEY]);
    }
  });
});
