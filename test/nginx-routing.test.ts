import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { NETBOX_DETAILS, SESSIONS, V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary, sampleVmResource } from '../simulators/sample-ha-data.js';
import { rawCall, startGateway, type RunningGateway } from './support/gateway.js';
import { startNginxWithHttpConfig, type RunningNginx } from './support/nginx.js';

const API_KEY = 'sim-api-key-nginx';
const PROXY_CONFIG = readFileSync(new URL('../deploy/nginx/ha-gateway.conf', import.meta.url), 'utf8');
const ADMIN_TOKEN = `Token ${V1_TOKENS.admin}`;

/**
 * Points the committed proxy config at loopback: the listen port and the two
 * upstream addresses change, every location rule stays as committed. Each
 * replaced text must occur exactly once, so an edit of the file that moves
 * them fails here instead of testing other rules.
 */
function renderProxyConfig(listenPort: number, gatewayPort: number, netboxPort: number): string {
  const replacements: Array<[string, string]> = [
    ['listen 80;', `listen 127.0.0.1:${listenPort};`],
    ['gateway:8090;', `127.0.0.1:${gatewayPort};`],
    ['netbox:8080;', `127.0.0.1:${netboxPort};`],
  ];
  let config = PROXY_CONFIG;
  for (const [committed, loopback] of replacements) {
    const occurrences = config.split(committed).length - 1;
    if (occurrences !== 1) throw new Error(`deploy/nginx/ha-gateway.conf must contain "${committed}" once, found ${occurrences}`);
    config = config.replace(committed, loopback);
  }
  return config;
}

/** Returns the requests that reached NetBox through the proxy (it adds X-Real-IP), without the gateway's credential checks. */
function proxiedToNetBox() {
  return netbox.requests.filter((request) => request.headers['x-real-ip'] !== undefined);
}

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: RunningGateway;
let proxy: RunningNginx;
let proxyUrl: string;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  gateway = await startGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, NETBOX_URL: netbox.url, AUTH_CACHE_TTL_S: '0', AUTH_DENY_CACHE_TTL_S: '0' });
  const gatewayPort = Number(new URL(gateway.url).port);
  proxy = await startNginxWithHttpConfig((proxyPort) => renderProxyConfig(proxyPort, gatewayPort, netbox.port));
  proxyUrl = proxy.url;
});

afterAll(async () => {
  await proxy?.stop();
  await gateway?.close();
  await netbox?.close();
  await backend?.close();
});

afterEach(() => {
  backend.requests.length = 0;
  netbox.requests.length = 0;
});

describe('proxy config, HA routes', () => {
  test.each([
    ['/api/plugins/proxbox/ha/summary/', '/proxmox/cluster/ha/summary', sampleSummary()],
    ['/api/plugins/proxbox/ha/summary', '/proxmox/cluster/ha/summary', sampleSummary()],
    ['/api/plugins/proxbox/ha/vm/101/', '/proxmox/cluster/ha/resources/by-vm/101', sampleVmResource(101)],
    ['/api/plugins/proxbox/ha/vm/101', '/proxmox/cluster/ha/resources/by-vm/101', sampleVmResource(101)],
    ['/api/plugins/proxbox/ha/vm/0101/', '/proxmox/cluster/ha/resources/by-vm/101', sampleVmResource(101)],
  ])('sends %s to the gateway', async (path, backendPath, body) => {
    const answer = await rawCall(proxyUrl, path, { Authorization: ADMIN_TOKEN });

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(body);
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(backend.requests.map((request) => request.url)).toEqual([backendPath]);
    expect(proxiedToNetBox()).toEqual([]);
    const credentialChecks = netbox.requests.filter((request) => request.url.startsWith('/api/plugins/proxbox/endpoints/'));
    expect(credentialChecks.length).toBeGreaterThan(0);
    for (const check of credentialChecks) expect(check.headers.authorization).toBe(ADMIN_TOKEN);
  });

  test('passes a rejected token to the gateway', async () => {
    const answer = await rawCall(proxyUrl, '/api/plugins/proxbox/ha/summary/', { Authorization: 'Token ffffffffffffffffffffffffffffffffffffffff' });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual({ detail: NETBOX_DETAILS.invalidToken, code: 'credentials_rejected' });
    expect(backend.requests).toEqual([]);
  });

  test('passes the session cookie to the gateway', async () => {
    const answer = await rawCall(proxyUrl, '/api/plugins/proxbox/ha/vm/101/', { Cookie: `csrftoken=abc; sessionid=${SESSIONS.admin}` });

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleVmResource(101));
    expect(netbox.requests.some((request) => request.headers.cookie?.includes(`sessionid=${SESSIONS.admin}`))).toBe(true);
  });

  test('sends gateway errors through unchanged', async () => {
    const answer = await rawCall(proxyUrl, '/api/plugins/proxbox/ha/vm/abc/', { Authorization: ADMIN_TOKEN });

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).code).toBe('invalid_vmid');
    expect(backend.requests).toEqual([]);
  });
});

describe('proxy config, NetBox paths', () => {
  test.each([
    '/api/dcim/devices/?limit=5',
    '/api/plugins/proxbox/endpoints/proxmox/',
    '/api/plugins/proxbox/hardware/',
    '/api/plugins/proxbox/ha',
    '/api/',
    '/api/docs/',
  ])('sends %s to NetBox', async (path) => {
    const answer = await rawCall(proxyUrl, path, { Authorization: ADMIN_TOKEN });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toBeNull();
    expect(proxiedToNetBox().map((request) => request.url)).toEqual([path]);
    expect(proxiedToNetBox()[0].headers.authorization).toBe(ADMIN_TOKEN);
    expect(backend.requests).toEqual([]);
  });

  test('forwards the original host to NetBox', async () => {
    await rawCall(proxyUrl, '/api/status/', { Host: 'netbox.example.com' });

    const [forwarded] = proxiedToNetBox();
    expect(forwarded.headers.host).toBe('netbox.example.com');
    expect(forwarded.headers['x-forwarded-host']).toBe('netbox.example.com');
    expect(forwarded.headers['x-forwarded-proto']).toBe('http');
    expect(forwarded.headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});
