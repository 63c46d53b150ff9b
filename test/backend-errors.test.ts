import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { failureBody } from './support/failure-body.js';
import { call, startGateway, SUMMARY_ROUTE, vmRoute, type Answer, type RunningGateway } from './support/gateway.js';
import { releasedPort } from './support/ports.js';
import { waitFor } from './support/wait-for.js';

const API_KEY = 'sim-api-key-errors';

function expectJsonError(answer: Answer, status: number, body: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.text).toBe(body);
}

describe('backend answers', () => {
  let backend: ProxboxApiSimulator;
  let gateway: RunningGateway;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator({ apiKey: API_KEY });
    gateway = await startGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, LOGIN_REQUIRED: 'false' });
  });

  afterAll(async () => {
    await gateway.close();
    await backend.close();
  });

  afterEach(() => {
    backend.setFault(null);
    backend.requests.length = 0;
    backend.abandonedRequests.length = 0;
  });

  test('404 on summary means HA unsupported', async () => {
    backend.setFault({ kind: 'ha_missing' });

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expectJsonError(answer, 503, failureBody('backend_ha_unsupported'));
    expect(JSON.parse(answer.text).detail).toBe('Backend does not support HA endpoints \u2014 upgrade proxbox-api to v0.0.11 or later.');
  });

  test('404 on per-VM route means HA unsupported', async () => {
    backend.setFault({ kind: 'ha_missing' });

    const answer = await call(`${gateway.url}${vmRoute(101)}`);

    expect(answer.status).toBe(503);
    expect(answer.text).toBe(
      JSON.stringify({ detail: 'Backend does not support HA endpoints \u2014 upgrade proxbox-api to v0.0.11 or later.', code: 'backend_ha_unsupported' }),
    );
  });

  test('backend 500 becomes 502 with its detail', async () => {
    backend.setFault({ kind: 'status', status: 500, body: '{"detail":"Proxmox API call failed: pve1 unreachable"}' });

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expectJsonError(answer, 502, failureBody('backend_http_error', { status: 500, upstreamDetail: 'Proxmox API call failed: pve1 unreachable' }));
    expect(JSON.parse(answer.text).detail).toBe('proxbox-api answered HTTP 500. proxbox-api says: "Proxmox API call failed: pve1 unreachable".');
  });

  test('non-JSON 2xx body becomes 502', async () => {
    backend.setFault({ kind: 'body', body: '<html><body>Welcome to nginx!</body></html>', contentType: 'text/html' });

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expectJsonError(answer, 502, failureBody('backend_invalid_body', { status: 200 }));
  });

  test('empty 200 body becomes 502', async () => {
    backend.setFault({ kind: 'body', body: '' });

    const answer = await call(`${gateway.url}${vmRoute(101)}`);

    expectJsonError(answer, 502, failureBody('backend_invalid_body', { status: 200, reason: 'the body is empty' }));
    expect(JSON.parse(answer.text).detail).toContain('(the body is empty)');
  });

  test('reset mid-body becomes 502 backend_reset', async () => {
    backend.setFault({ kind: 'reset_mid_body' });

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expectJsonError(answer, 502, failureBody('backend_reset', { origin: backend.url, errorCode: 'ECONNRESET' }));
  });

  test('redirect is reported, never followed', async () => {
    const elsewhere = await startProxboxApiSimulator();
    try {
      backend.setFault({ kind: 'redirect', location: `${elsewhere.url}/proxmox/cluster/ha/summary?next=1`, status: 307 });

      const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

      expectJsonError(answer, 502, failureBody('backend_redirect', { status: 307, location: `${elsewhere.url}/proxmox/cluster/ha/summary` }));
      expect(backend.requests).toHaveLength(1);
      expect(backend.requests[0].headers['x-proxbox-api-key']).toBe(API_KEY);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  test('client disconnect aborts the backend request', async () => {
    backend.setFault({ kind: 'hang' });
    const { hostname, port } = new URL(gateway.url);
    // A plain request without keep-alive, so closing it closes the only connection the client had.
    const client = httpRequest({ host: hostname, port, path: SUMMARY_ROUTE, agent: false });
    client.on('error', () => undefined);
    client.end();

    await waitFor('the backend to receive the request', () => backend.requests.length === 1);
    client.destroy();

    await waitFor('the backend connection to close', () => backend.abandonedRequests.length === 1);
    expect(backend.abandonedRequests[0].url).toBe('/proxmox/cluster/ha/summary');
  });
});

describe('backend API key', () => {
  let backend: ProxboxApiSimulator;
  let gateway: RunningGateway;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator({ apiKey: 'the-key-proxbox-api-expects', lockoutAfter: 1 });
    gateway = await startGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: 'a-stale-key', LOGIN_REQUIRED: 'false' });
  });

  afterAll(async () => {
    await gateway.close();
    await backend.close();
  });

  // The simulator locks the key out after one failure, so these two run in order.
  test('401 says the key was rejected', async () => {
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expectJsonError(answer, 502, failureBody('backend_key_rejected', { upstreamDetail: 'Invalid or missing API key.' }));
    expect(JSON.parse(answer.text).detail).toContain('proxbox-api says: "Invalid or missing API key."');
    expect(answer.text).not.toContain('a-stale-key');
  });

  test('429 says locked out, passes Retry-After', async () => {
    const answer = await call(`${gateway.url}${vmRoute(101)}`);

    expectJsonError(
      answer,
      502,
      failureBody('backend_key_locked', { upstreamDetail: 'Too many failed authentication attempts. Try again later.' }),
    );
    expect(answer.headers.get('retry-after')).toBe('300');
  });
});

describe('backend not configured', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({ LOGIN_REQUIRED: 'false' });
  });

  afterAll(async () => {
    await gateway.close();
  });

  test.each([
    ['summary', SUMMARY_ROUTE],
    ['per-VM', vmRoute(101)],
  ])('%s route answers 503 not configured', async (_route, path) => {
    const answer = await call(`${gateway.url}${path}`);

    expectJsonError(answer, 503, failureBody('backend_not_configured'));
  });
});

describe('backend unreachable', () => {
  test('refused connection becomes 502', async () => {
    const port = await releasedPort();
    const gateway = await startGateway({ PROXBOX_API_URL: `http://127.0.0.1:${port}`, LOGIN_REQUIRED: 'false' });
    try {
      const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

      expectJsonError(answer, 502, failureBody('backend_refused', { origin: `http://127.0.0.1:${port}` }));
    } finally {
      await gateway.close();
    }
  });

  test('unresolvable host becomes 502 backend_dns', async () => {
    // A 64-character label is longer than DNS allows, so the resolver fails it without asking a server.
    const hostname = `${'a'.repeat(64)}.invalid`;
    const resolverCode = await lookup(hostname).then(
      () => 'resolved',
      (error: NodeJS.ErrnoException) => error.code,
    );
    const gateway = await startGateway({ PROXBOX_API_URL: `http://${hostname}:8800`, LOGIN_REQUIRED: 'false' });
    try {
      const answer = await call(`${gateway.url}${vmRoute(101)}`);

      expectJsonError(answer, 502, failureBody('backend_dns', { hostname, errorCode: resolverCode }));
      expect(JSON.parse(answer.text).detail).toContain(`"${hostname}"`);
    } finally {
      await gateway.close();
    }
  });
});

describe('backend deadlines', () => {
  let backend: ProxboxApiSimulator;
  let gateway: RunningGateway;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator();
    backend.setFault({ kind: 'hang' });
    gateway = await startGateway({
      PROXBOX_API_URL: backend.url,
      HA_SUMMARY_TIMEOUT_MS: '300',
      HA_VM_TIMEOUT_MS: '250',
      LOGIN_REQUIRED: 'false',
    });
  });

  afterAll(async () => {
    await gateway.close();
    await backend.close();
  });

  afterEach(() => {
    backend.requests.length = 0;
    backend.abandonedRequests.length = 0;
  });

  test('summary deadline names 0.3 s, aborts upstream', async () => {
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expectJsonError(
      answer,
      502,
      failureBody('backend_timeout', { origin: backend.url, deadlineMs: 300, deadlineVariable: 'HA_SUMMARY_TIMEOUT_MS' }),
    );
    expect(JSON.parse(answer.text).detail).toContain('within the 0.3 s limit (HA_SUMMARY_TIMEOUT_MS)');
    await waitFor('the backend connection to close', () => backend.abandonedRequests.length === 1);
  });

  test('per-VM deadline names 0.25 s', async () => {
    const answer = await call(`${gateway.url}${vmRoute(101)}`);

    expectJsonError(answer, 502, failureBody('backend_timeout', { origin: backend.url, deadlineMs: 250, deadlineVariable: 'HA_VM_TIMEOUT_MS' }));
    expect(JSON.parse(answer.text).detail).toContain('within the 0.25 s limit (HA_VM_TIMEOUT_MS)');
    await waitFor('the backend connection to close', () => backend.abandonedRequests.length === 1);
  });
});

describe('backend body limit', () => {
  const LIMIT = 1000;
  let backend: ProxboxApiSimulator;
  let gateway: RunningGateway;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator();
    gateway = await startGateway({ PROXBOX_API_URL: backend.url, BACKEND_MAX_BODY_BYTES: String(LIMIT), LOGIN_REQUIRED: 'false' });
  });

  afterAll(async () => {
    await gateway.close();
    await backend.close();
  });

  const jsonOfSize = (bytes: number) => `{"padding":"${'x'.repeat(bytes - 14)}"}`;

  test('body one byte over the limit is 502', async () => {
    const body = jsonOfSize(LIMIT + 1);
    expect(Buffer.byteLength(body)).toBe(LIMIT + 1);
    backend.setSummary(body);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expectJsonError(answer, 502, failureBody('backend_body_too_large', { maxBodyBytes: LIMIT }));
  });

  test('body exactly at the limit passes', async () => {
    const body = jsonOfSize(LIMIT);
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    backend.setSummary(body);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(body);
  });
});

describe('backend URL with a path prefix', () => {
  let backend: ProxboxApiSimulator;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator({ pathPrefix: '/proxbox' });
  });

  afterAll(async () => {
    await backend.close();
  });

  afterEach(() => {
    backend.requests.length = 0;
  });

  test.each([
    ['without a trailing slash', ''],
    ['with a trailing slash', '/'],
  ])('joins the prefix %s', async (_label, suffix) => {
    const baseUrl = `http://127.0.0.1:${backend.port}/proxbox${suffix}`;
    const gateway = await startGateway({ PROXBOX_API_URL: baseUrl, LOGIN_REQUIRED: 'false' });
    try {
      const summary = await call(`${gateway.url}${SUMMARY_ROUTE}`);
      const vm = await call(`${gateway.url}${vmRoute(101)}`);

      expect(summary.status).toBe(200);
      expect(vm.status).toBe(200);
      expect(backend.requests.map((request) => request.url)).toEqual([
        '/proxbox/proxmox/cluster/ha/summary',
        '/proxbox/proxmox/cluster/ha/resources/by-vm/101',
      ]);
    } finally {
      await gateway.close();
    }
  });
});
