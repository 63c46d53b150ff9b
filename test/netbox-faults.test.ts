import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { startRawHttpServer, writeHead, writeResponse, type ConnectionScript, type RawHttpServer } from '../simulators/raw-http-server.js';
import { sampleSummary } from '../simulators/sample-ha-data.js';
import { call, startGateway, SUMMARY_ROUTE, type Answer, type RunningGateway } from './support/gateway.js';

const NETBOX_TIMEOUT_MS = 500;
const TOKEN = V1_TOKENS.admin;
const AUTHORIZATION = `Token ${TOKEN}`;
const EMPTY_LISTING = '{"count":0,"next":null,"previous":null,"results":[]}';

let netbox: RawHttpServer;
let backend: ProxboxApiSimulator;
let gateway: RunningGateway;
let origin: string;

const answerNormally: ConnectionScript = (socket) => writeResponse(socket, 200, { 'Content-Type': 'application/json' }, EMPTY_LISTING);

beforeAll(async () => {
  netbox = await startRawHttpServer(answerNormally);
  origin = netbox.url;
  backend = await startProxboxApiSimulator();
  gateway = await startGateway({
    PROXBOX_API_URL: backend.url,
    NETBOX_URL: netbox.url,
    NETBOX_TIMEOUT_MS: String(NETBOX_TIMEOUT_MS),
    // Every request goes to NetBox, so a fault in one test cannot hide behind a decision cached by another.
    AUTH_CACHE_TTL_S: '0',
    AUTH_DENY_CACHE_TTL_S: '0',
  });
});

afterAll(async () => {
  await gateway.close();
  await netbox.close();
  await backend.close();
});

beforeEach(() => {
  netbox.setScript(answerNormally);
  netbox.heads.length = 0;
  backend.requests.length = 0;
});

async function timedCall(): Promise<Answer & { elapsedMs: number }> {
  const started = performance.now();
  const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: { Authorization: AUTHORIZATION } });
  return { ...answer, elapsedMs: performance.now() - started };
}

/** Switches NetBox back to normal and checks that the gateway serves the next request. */
async function expectGatewayRecovers(): Promise<void> {
  netbox.setScript(answerNormally);
  const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: { Authorization: AUTHORIZATION } });
  expect(answer.status).toBe(200);
  expect(answer.text).toBe(sampleSummary());
}

/** The credential check failed, so proxbox-api must not have been asked. */
function expectNoBackendCall(): void {
  expect(backend.requests).toHaveLength(0);
}

const timeoutBody = () => ({
  detail: `NetBox at ${origin} did not answer the credential check within 0.5 s (NETBOX_TIMEOUT_MS).`,
  code: 'netbox_timeout',
});

describe('NetBox that stalls', () => {
  test('never answering times out', async () => {
    netbox.setScript(() => undefined);

    const answer = await timedCall();

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual(timeoutBody());
    expect(answer.elapsedMs).toBeLessThan(NETBOX_TIMEOUT_MS + 1000);
    expectNoBackendCall();
    // All three listings were aborted, so no connection to NetBox stays open.
    await netbox.allConnectionsClosed();
    await expectGatewayRecovers();
  });

  test('headers then silence times out', async () => {
    netbox.setScript((socket) => {
      writeHead(socket, 200, { 'Content-Type': 'application/json', 'Content-Length': 200 });
      socket.write('{"count":');
    });

    const answer = await timedCall();

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual(timeoutBody());
    expect(answer.elapsedMs).toBeLessThan(NETBOX_TIMEOUT_MS + 1000);
    expectNoBackendCall();
    await netbox.allConnectionsClosed();
    await expectGatewayRecovers();
  });
});

describe('NetBox that breaks the answer', () => {
  // axios reports a NetBox body cut short as ERR_BAD_RESPONSE ("stream has been aborted") without the socket's code.
  test('close mid-body is unreachable', async () => {
    netbox.setScript((socket) => {
      writeHead(socket, 200, { 'Content-Type': 'application/json', 'Content-Length': EMPTY_LISTING.length });
      socket.end(EMPTY_LISTING.slice(0, 10));
    });

    const answer = await timedCall();

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `Could not reach NetBox at ${origin} to check the credential (ERR_BAD_RESPONSE). Check NETBOX_URL and that NetBox is running.`,
      code: 'netbox_unreachable',
    });
    expectNoBackendCall();
    await expectGatewayRecovers();
  });

  test.each([500, 502, 503])('HTTP %i is a NetBox error', async (status) => {
    netbox.setScript((socket) => writeResponse(socket, status, { 'Content-Type': 'application/json' }, '{"detail":"Server Error"}'));

    const answer = await timedCall();

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `NetBox at ${origin} answered the credential check with HTTP ${status}. Check NetBox's logs.`,
      code: 'netbox_error',
    });
    expectNoBackendCall();
    await expectGatewayRecovers();
  });

  test('bytes that are not HTTP are an invalid answer', async () => {
    netbox.setScript((socket) => socket.end('\u0016\u0003\u0001garbage that is not HTTP\r\n\r\n'));

    const answer = await timedCall();

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `NetBox at ${origin} answered the credential check with a response that is not valid HTTP (HPE_INVALID_CONSTANT). Check that NETBOX_URL points at NetBox itself.`,
      code: 'netbox_invalid_answer',
    });
    expectNoBackendCall();
    await expectGatewayRecovers();
  });

  test('JSON that is not a listing is an invalid answer', async () => {
    netbox.setScript((socket) => writeResponse(socket, 200, { 'Content-Type': 'application/json' }, '{"unexpected":true}'));

    const answer = await timedCall();

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `NetBox at ${origin} answered the credential check with HTTP 200 and a body that is not NetBox's JSON. Check that NETBOX_URL points at NetBox itself.`,
      code: 'netbox_invalid_answer',
    });
    await expectGatewayRecovers();
  });

  test('body over 256 KB is an invalid answer', async () => {
    const huge = `{"count":1,"results":[],"padding":"${'x'.repeat(512 * 1024)}"}`;
    netbox.setScript((socket) => writeResponse(socket, 200, { 'Content-Type': 'application/json' }, huge));

    const answer = await timedCall();

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `NetBox at ${origin} answered the credential check with a body over 262144 bytes. Check that NETBOX_URL points at NetBox itself.`,
      code: 'netbox_invalid_answer',
    });
    expectNoBackendCall();
    await expectGatewayRecovers();
  });
});

describe('NetBox HTML error pages', () => {
  const page = (status: number) => `<!DOCTYPE html><html><head><title>${status}</title></head><body><h1>Server Error (${status})</h1></body></html>`;

  test.each([
    [200, 'netbox_invalid_answer', (status: number) => `NetBox at ${origin} answered the credential check with HTTP ${status} and a body that is not NetBox's JSON. Check that NETBOX_URL points at NetBox itself.`],
    [403, 'netbox_invalid_answer', (status: number) => `NetBox at ${origin} answered the credential check with HTTP ${status} and a body that is not NetBox's JSON. Check that NETBOX_URL points at NetBox itself.`],
    [500, 'netbox_error', (status: number) => `NetBox at ${origin} answered the credential check with HTTP ${status}. Check NetBox's logs.`],
  ])('HTML with HTTP %i answers 503', async (status, code, detail) => {
    netbox.setScript((socket) => writeResponse(socket, status, { 'Content-Type': 'text/html' }, page(status)));

    const answer = await timedCall();

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({ detail: detail(status), code });
    expect(answer.text).not.toContain('<html>');
    expectNoBackendCall();
    await expectGatewayRecovers();
  });

  test('login redirect is not followed', async () => {
    const elsewhere = await startRawHttpServer(answerNormally);
    try {
      netbox.setScript((socket) => writeResponse(socket, 302, { Location: `${elsewhere.url}/login/?next=/api/` }));

      const answer = await timedCall();

      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.text)).toEqual({
        detail: `NetBox at ${origin} answered the credential check with HTTP 302 and a body that is not NetBox's JSON. Check that NETBOX_URL points at NetBox itself.`,
        code: 'netbox_invalid_answer',
      });
      // The token never travels to the redirect's host.
      expect(elsewhere.heads).toHaveLength(0);
      expectNoBackendCall();
      await expectGatewayRecovers();
    } finally {
      await elsewhere.close();
    }
  });
});
