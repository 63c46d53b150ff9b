import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary, sampleVmResource } from '../simulators/sample-ha-data.js';
import { createClientErrorHandler } from '../src/ha/client-error-handler.js';
import { createLogger } from '../src/logging/logger.js';
import { call, rawCall, startGateway, SUMMARY_ROUTE, vmRoute, type RunningGateway } from './support/gateway.js';

const API_KEY = 'bad-input-api-key';
const AUTHORIZATION = `Token ${V1_TOKENS.admin}`;
const INVALID_VMID = {
  detail: 'The VMID in the path must be a decimal number from 100 to 999999999, the range Proxmox VE allows.',
  code: 'invalid_vmid',
};
const HEAD_TOO_LARGE = {
  detail: 'The request line and headers are larger than 16 KB, the limit of the HTTP server. Shorten the URL or the headers.',
  code: 'request_head_too_large',
};
const INVALID_HTTP = {
  detail: 'The request is not valid HTTP/1.1 (HPE_LF_EXPECTED). Check the client or proxy that sent it.',
  code: 'invalid_http_request',
};
const NOT_FOUND = {
  detail: 'No such route. The HA API serves /api/plugins/proxbox/ha/summary/ and /api/plugins/proxbox/ha/vm/{vmid}/.',
  code: 'not_found',
};

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: RunningGateway;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  gateway = await startGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, NETBOX_URL: netbox.url, AUTH_CACHE_TTL_S: '0' });
});

afterAll(async () => {
  await gateway.close();
  await netbox.close();
  await backend.close();
});

beforeEach(() => {
  backend.requests.length = 0;
  netbox.requests.length = 0;
});

/**
 * Sends bytes on a fresh connection and returns everything the gateway writes
 * until it closes. The request must say `Connection: close` or be one the
 * gateway rejects, because the socket is not half-closed: a half-close reads
 * as a client that went away, and the gateway would drop its response.
 */
function sendRaw(bytes: string | Buffer): Promise<string> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The gateway may reset the connection right after its error response while bytes are still being sent.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.write(bytes);
  });
}

function responseBody(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

async function expectGatewayServes(): Promise<void> {
  const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: { Authorization: AUTHORIZATION } });
  expect(answer.status).toBe(200);
  expect(answer.text).toBe(sampleSummary());
}

describe('paths', () => {
  test.each([
    ['fullwidth digits', '%EF%BC%91%EF%BC%90%EF%BC%91'],
    ['Devanagari digits', '%E0%A5%A7%E0%A5%A6%E0%A5%A7'],
    ['superscript digits', '%C2%B9%E2%81%B0%C2%B9'],
    ['a trailing .json', '101.json'],
    ['an encoded NUL', '101%00'],
    ['an encoded newline', '101%0A'],
    ['encoded dots and slash', '%2e%2e%2fsummary'],
    ['a space', '101%20'],
  ])('vmid with %s is 400', async (_label, vmid) => {
    const answer = await rawCall(gateway.url, `/api/plugins/proxbox/ha/vm/${vmid}/`, { Authorization: AUTHORIZATION });

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual(INVALID_VMID);
    expect(backend.requests).toHaveLength(0);
  });

  test.each([
    ['an encoded slash in the route', '/api/plugins/proxbox/ha%2Fsummary/'],
    ['dot segments', '/api/plugins/proxbox/ha/vm/101/../../summary/'],
    ['encoded dot segments', '/api/plugins/proxbox/ha/%2e%2e/ha/summary/'],
    ['a doubled slash', '/api/plugins/proxbox//ha/summary/'],
  ])('path with %s is a JSON 404', async (_label, path) => {
    const answer = await rawCall(gateway.url, path, { Authorization: AUTHORIZATION });

    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(answer.text)).toEqual(NOT_FOUND);
    expect(backend.requests).toHaveLength(0);
  });

  test('malformed percent-encoding is a JSON 400', async () => {
    const answer = await rawCall(gateway.url, '/api/plugins/proxbox/ha/vm/%E0%A4%A/', { Authorization: AUTHORIZATION });

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      detail: 'The request URL is malformed (invalid percent-encoding or characters). Check the path.',
      code: 'malformed_request',
    });
  });

  test('12 KB vmid is a JSON 400', async () => {
    const answer = await rawCall(gateway.url, `/api/plugins/proxbox/ha/vm/${'1'.repeat(12 * 1024)}/`, { Authorization: AUTHORIZATION });

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual(INVALID_VMID);
    expect(backend.requests).toHaveLength(0);
  });

  test('12 KB unknown path is a JSON 404', async () => {
    const answer = await rawCall(gateway.url, `/api/plugins/proxbox/ha/${'x'.repeat(12 * 1024)}`, { Authorization: AUTHORIZATION });

    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toEqual(NOT_FOUND);
  });

  test.each([
    ['vmid', `/api/plugins/proxbox/ha/vm/${'1'.repeat(20 * 1024)}/`],
    ['query string', `/api/plugins/proxbox/ha/summary/?${'q'.repeat(20 * 1024)}`],
  ])('20 KB %s is a JSON 431', async (_label, path) => {
    // Node's HTTP parser limits the whole request head to 16 KB, so no route runs.
    const response = await sendRaw(`GET ${path} HTTP/1.1\r\nHost: gateway\r\n\r\n`);

    expect(response).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(response).toMatch(/\r\nContent-Type: application\/json\r\n/i);
    expect(JSON.parse(responseBody(response))).toEqual(HEAD_TOO_LARGE);
    expect(backend.requests).toHaveLength(0);
    await expectGatewayServes();
  });

  test('query string is neither forwarded nor logged', async () => {
    const answer = await call(`${gateway.url}${vmRoute(101)}?format=json&vmid=999&token=query-secret`, {
      headers: { Authorization: AUTHORIZATION },
    });

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleVmResource(101));
    expect(backend.requests.map((request) => request.url)).toEqual(['/proxmox/cluster/ha/resources/by-vm/101']);
    expect(netbox.requests.every((request) => !request.url.includes('query-secret'))).toBe(true);
    expect(gateway.logs.join('\n')).not.toContain('query-secret');
  });
});

describe('methods on HA routes', () => {
  test.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s is 405 with Allow', async (method) => {
    for (const path of [SUMMARY_ROUTE, vmRoute(101), '/api/plugins/proxbox/ha/summary']) {
      const answer = await call(`${gateway.url}${path}`, { method, headers: { Authorization: AUTHORIZATION } });

      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, HEAD');
      expect(JSON.parse(answer.text)).toEqual({ detail: 'This route is read-only: use GET or HEAD.', code: 'method_not_allowed' });
    }
    expect(backend.requests).toHaveLength(0);
  });

  test('POST with a body is 405', async () => {
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, {
      method: 'POST',
      headers: { Authorization: AUTHORIZATION, 'Content-Type': 'application/json' },
      body: '{"status":[]}',
    });

    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD');
    expect(backend.requests).toHaveLength(0);
  });
});

describe('headers', () => {
  test('CRLF inside a header value is 400', async () => {
    const response = await sendRaw(
      `GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: gateway\r\nAuthorization: ${AUTHORIZATION}\r\nX-Request-ID: a\rInjected: yes\r\n\r\n`,
    );

    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(responseBody(response))).toEqual(INVALID_HTTP);
    expect(backend.requests).toHaveLength(0);
    expect(netbox.requests).toHaveLength(0);
    await expectGatewayServes();
  });

  test('1 MB Authorization is 431', async () => {
    const response = await sendRaw(`GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Token ${'a'.repeat(1024 * 1024)}\r\n\r\n`);

    expect(response).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(JSON.parse(responseBody(response))).toEqual(HEAD_TOO_LARGE);
    expect(response).not.toContain('aaaaaaaa');
    expect(netbox.requests).toHaveLength(0);
    await expectGatewayServes();
  });

  test('10 KB Authorization is malformed', async () => {
    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: { Authorization: `Token ${'a'.repeat(10 * 1024)}` } });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text).code).toBe('credentials_malformed');
    expect(netbox.requests).toHaveLength(0);
  });

  test('500 cookies find the session', async () => {
    const cookies = Array.from({ length: 500 }, (_, index) => `c${index}=${index}`);
    cookies.splice(250, 0, 'sessionid=x9k2m7q4w1e8r5t3y6u0i2o4p7a9s1d3');

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: { Cookie: cookies.join('; ') } });

    expect(answer.status).toBe(200);
    expect(netbox.requests.length).toBeGreaterThan(0);
    // Only the session cookie goes to NetBox, never the other 500.
    for (const request of netbox.requests) expect(request.headers.cookie).toBe('sessionid=x9k2m7q4w1e8r5t3y6u0i2o4p7a9s1d3');
  });

  test('500 cookies without a session are 403', async () => {
    const cookies = Array.from({ length: 500 }, (_, index) => `c${index}=${index}`);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: { Cookie: cookies.join('; ') } });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text).code).toBe('credentials_missing');
    expect(netbox.requests).toHaveLength(0);
  });

  test('garbage Host is served', async () => {
    const response = await sendRaw(
      `GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: !!garbage~~::not a host\r\nAuthorization: ${AUTHORIZATION}\r\nConnection: close\r\n\r\n`,
    );

    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    // The Host header names nothing the gateway calls: the backend is always PROXBOX_API_URL.
    expect(backend.requests).toHaveLength(1);
    expect(backend.requests[0].headers.host).toBe(new URL(backend.url).host);
  });

  test('missing Host is an empty 400', async () => {
    const response = await sendRaw(`GET ${SUMMARY_ROUTE} HTTP/1.1\r\nAuthorization: ${AUTHORIZATION}\r\nConnection: close\r\n\r\n`);

    // Node's HTTP server answers this itself, with no body, before Fastify or its clientError hook run.
    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(responseBody(response)).toBe('0\r\n\r\n');
    expect(backend.requests).toHaveLength(0);
  });
});

describe('requests the HTTP parser rejects', () => {
  test('parser timeout is a JSON 408', () => {
    const written: string[] = [];
    let destroyed = false;
    const socket = {
      destroyed: false,
      writable: true,
      write: (text: string) => written.push(text),
      destroy: () => {
        destroyed = true;
      },
    };
    const error = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });

    createClientErrorHandler(createLogger('silent'))(error, socket as unknown as Socket);

    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(responseBody(written[0]))).toEqual({
      detail: 'The request was not received completely in time, so the connection was closed.',
      code: 'request_timeout',
    });
    expect(destroyed).toBe(true);
  });

  test('rejection log line has no header bytes', async () => {
    const marker = 'marker-in-rejected-head';
    await sendRaw(`GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: gateway\r\nCookie: sessionid=${marker}\r\nX-Bad: a\rb\r\n\r\n`);

    const rejections = gateway.logs.filter((line) => line.includes('request rejected by the HTTP parser'));
    expect(rejections.length).toBeGreaterThan(0);
    expect(gateway.logs.join('\n')).not.toContain(marker);
  });
});

describe('client request IDs', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  test('duplicate X-Request-ID is replaced', async () => {
    const response = await sendRaw(
      `GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: gateway\r\nAuthorization: ${AUTHORIZATION}\r\nX-Request-ID: first-id\r\nX-Request-ID: second-id\r\nConnection: close\r\n\r\n`,
    );

    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const echoed = /\r\nx-request-id: ([^\r]*)\r\n/i.exec(response)?.[1];
    // Node joins repeated X-Request-ID values with ", ", and the space makes the joined value unacceptable.
    expect(echoed).toMatch(UUID);
    expect(backend.requests[0].headers['x-request-id']).toBe(echoed);
  });

  test.each([
    ['129 characters', 'r'.repeat(129)],
    ['a tab', 'trace\tid-tab'],
    ['Latin-1 bytes', 'trac\u00e9-id-latin'],
  ])('id with %s is replaced, not logged', async (_label, id) => {
    const response = await sendRaw(
      Buffer.from(`GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: gateway\r\nAuthorization: ${AUTHORIZATION}\r\nX-Request-ID: ${id}\r\nConnection: close\r\n\r\n`, 'latin1'),
    );

    const echoed = /\r\nx-request-id: ([^\r]*)\r\n/i.exec(response)?.[1];
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(echoed).toMatch(UUID);
    expect(backend.requests[0].headers['x-request-id']).toBe(echoed);
    expect(gateway.logs.some((line) => line.includes(id.slice(-8)))).toBe(false);
  });

  test.each([
    ['a DEL', 'trace\u007fid-del'],
    ['a NUL', 'trace\u0000id-nul'],
  ])('id with %s is a JSON 400', async (_label, id) => {
    const response = await sendRaw(
      Buffer.from(`GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: gateway\r\nAuthorization: ${AUTHORIZATION}\r\nX-Request-ID: ${id}\r\nConnection: close\r\n\r\n`, 'latin1'),
    );

    // Node's HTTP parser rejects these bytes in a header value before the gateway sees the request.
    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(responseBody(response)).code).toBe('invalid_http_request');
    expect(backend.requests).toHaveLength(0);
    expect(gateway.logs.some((line) => line.includes(id.slice(-8)))).toBe(false);
  });

  test('id of 128 printable characters is kept', async () => {
    const id = `${'r'.repeat(120)}-abc~!@#`;

    const answer = await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: AUTHORIZATION, 'X-Request-ID': id });

    expect(answer.headers.get('x-request-id')).toBe(id);
    expect(backend.requests[0].headers['x-request-id']).toBe(id);
  });
});

describe('what reaches the neighbours', () => {
  const clientHeaders = {
    Authorization: AUTHORIZATION,
    Cookie: 'sessionid=x9k2m7q4w1e8r5t3y6u0i2o4p7a9s1d3; csrftoken=client-csrf',
    'X-Request-ID': 'neighbour-check',
    'X-Forwarded-For': '203.0.113.9',
    'X-Proxbox-API-Key': 'client-supplied-key',
    Referer: 'https://dashboard.example/',
    'Accept-Language': 'de',
    'User-Agent': 'client-agent/1.0',
    'Content-Type': 'application/json',
    Accept: 'text/html',
  };

  test('backend receives only the contract headers', async () => {
    const answer = await call(`${gateway.url}${vmRoute(101)}`, { headers: clientHeaders });

    expect(answer.status).toBe(200);
    expect(backend.requests).toHaveLength(1);
    const [forwarded] = backend.requests;
    expect(Object.keys(forwarded.headers).sort()).toEqual(['accept', 'accept-encoding', 'connection', 'host', 'user-agent', 'x-proxbox-api-key', 'x-request-id']);
    expect(forwarded.headers).toMatchObject({
      accept: 'application/json',
      'accept-encoding': 'identity',
      'user-agent': 'proxbox-ha-gateway',
      'x-proxbox-api-key': API_KEY,
      'x-request-id': 'neighbour-check',
    });
  });

  test('NetBox receives only the credential headers', async () => {
    const answer = await call(`${gateway.url}${vmRoute(101)}`, { headers: clientHeaders });

    expect(answer.status).toBe(200);
    expect(netbox.requests.length).toBeGreaterThan(0);
    for (const request of netbox.requests) {
      expect(Object.keys(request.headers).sort()).toEqual(['accept', 'accept-encoding', 'accept-language', 'authorization', 'connection', 'host', 'user-agent', 'x-request-id']);
      expect(request.headers['accept-language']).toBe('en');
      expect(request.headers.authorization).toBe(AUTHORIZATION);
      expect(request.headers.accept).toBe('application/json');
      expect(request.headers['user-agent']).toBe('proxbox-ha-gateway');
      expect(request.headers['x-request-id']).toBe('neighbour-check');
    }
  });
});
