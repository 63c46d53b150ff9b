import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startRawHttpServer, writeHead, writeResponse, type ConnectionScript, type RawHttpServer } from '../simulators/raw-http-server.js';
import { sampleSummary } from '../simulators/sample-ha-data.js';
import { call, rawCall, startGateway, SUMMARY_ROUTE, vmRoute, type RunningGateway } from './support/gateway.js';

// Distinctive values that cannot occur by chance in a log line or a body.
const API_KEY = 'MARKED-APIKEY-q7Zt3Wx9Lp2V';
const TOKEN = 'markedtokenv1a0b1c2d3e4f5a6b7c8d9e0f1a2b3';
const V2_TOKEN = 'nbt_MARKEDv2key.MARKEDv2secret9Hq4Rt';
const SESSION = 'markedsessionk3j9x2m8q1w7e4r6';
const MARKS = [API_KEY, TOKEN, 'MARKEDv2key', 'MARKEDv2secret9Hq4Rt', SESSION];

const EMPTY_LISTING = '{"count":0,"next":null,"previous":null,"results":[]}';
const allowEveryone: ConnectionScript = (socket) => writeResponse(socket, 200, { 'Content-Type': 'application/json' }, EMPTY_LISTING);
const answerSummary: ConnectionScript = (socket) => writeResponse(socket, 200, { 'Content-Type': 'application/json' }, sampleSummary());

let backend: RawHttpServer;
let netbox: RawHttpServer;
let gateway: RunningGateway;
/** Every response body and header block the scenarios received. */
const captured: string[] = [];

beforeAll(async () => {
  backend = await startRawHttpServer(answerSummary);
  netbox = await startRawHttpServer(allowEveryone);
  gateway = await startGateway({
    PROXBOX_API_URL: backend.url,
    PROXBOX_API_KEY: API_KEY,
    NETBOX_URL: netbox.url,
    HA_VM_TIMEOUT_MS: '500',
    HA_SUMMARY_TIMEOUT_MS: '500',
    NETBOX_TIMEOUT_MS: '500',
    BACKEND_MAX_BODY_BYTES: '65536',
    AUTH_CACHE_TTL_S: '0',
    AUTH_DENY_CACHE_TTL_S: '0',
    LOG_LEVEL: 'trace',
  });
});

afterAll(async () => {
  await gateway.close();
  await netbox.close();
  await backend.close();
});

const CREDENTIALS: Record<string, Record<string, string>> = {
  token: { Authorization: `Token ${TOKEN}` },
  v2Token: { Authorization: `Bearer ${V2_TOKEN}` },
  session: { Cookie: `csrftoken=abc; sessionid=${SESSION}` },
};

async function capture(path: string, headers: Record<string, string>, method = 'GET'): Promise<number> {
  const answer = await call(`${gateway.url}${path}`, { method, headers });
  captured.push(`${[...answer.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}\n\n${answer.text}`);
  return answer.status;
}

function sendRaw(bytes: string): Promise<void> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      captured.push(Buffer.concat(chunks).toString('latin1'));
      resolve();
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

/** Backend misbehaviours, including ones that quote what they received. */
const BACKEND_FAULTS: Record<string, ConnectionScript> = {
  hang: () => undefined,
  stallAfterHeaders: (socket) => writeHead(socket, 200, { 'Content-Type': 'application/json', 'Content-Length': 100 }),
  closeMidBody: (socket) => {
    writeHead(socket, 200, { 'Content-Type': 'application/json', 'Content-Length': 100 });
    socket.end('{"status":');
  },
  status500: (socket) => writeResponse(socket, 500, { 'Content-Type': 'application/json' }, '{"detail":"Internal Server Error"}'),
  keyRejectedEchoingKey: (socket, head) =>
    writeResponse(socket, 401, { 'Content-Type': 'application/json' }, JSON.stringify({ detail: `Invalid API key: ${head.headers['x-proxbox-api-key']}` })),
  errorEchoingHeaders: (socket, head) =>
    writeResponse(socket, 500, { 'Content-Type': 'application/json' }, JSON.stringify({ detail: `received ${JSON.stringify(head.headers)}` })),
  lockedOut: (socket) => writeResponse(socket, 429, { 'Content-Type': 'application/json', 'Retry-After': '300' }, '{"detail":"Too many attempts"}'),
  redirectWithKey: (socket) => writeResponse(socket, 302, { Location: `http://127.0.0.1:9/login?key=${API_KEY}#${API_KEY}` }),
  notJson: (socket, head) => writeResponse(socket, 200, { 'Content-Type': 'text/html' }, `<html>${JSON.stringify(head.headers)}</html>`),
  notHttp: (socket) => socket.end('garbage that is not HTTP\r\n\r\n'),
  tooLarge: (socket) => writeResponse(socket, 200, { 'Content-Type': 'application/json' }, `["${'x'.repeat(100_000)}"]`),
};

/** NetBox misbehaviours, including ones that quote the credential back. */
const NETBOX_FAULTS: Record<string, ConnectionScript> = {
  hang: () => undefined,
  status500: (socket) => writeResponse(socket, 500, { 'Content-Type': 'text/html' }, '<h1>Server Error</h1>'),
  htmlPage: (socket) => writeResponse(socket, 200, { 'Content-Type': 'text/html' }, '<html>login</html>'),
  closeMidBody: (socket) => {
    writeHead(socket, 200, { 'Content-Type': 'application/json', 'Content-Length': 100 });
    socket.end('{"count":');
  },
  notHttp: (socket) => socket.end('garbage\r\n\r\n'),
  rejectionEchoingCredential: (socket, head) =>
    writeResponse(socket, 403, { 'Content-Type': 'application/json' }, JSON.stringify({ detail: `Invalid token ${head.headers.authorization ?? head.headers.cookie}` })),
};

describe('marked secrets', () => {
  test('appear in no log, body or metric', async () => {
    for (const [name, script] of Object.entries(BACKEND_FAULTS)) {
      backend.setScript(script);
      for (const headers of Object.values(CREDENTIALS)) {
        expect([name, await capture(vmRoute(101), headers)]).toEqual([name, 502]);
        await capture(SUMMARY_ROUTE, headers);
      }
    }
    backend.setScript(answerSummary);

    for (const [name, script] of Object.entries(NETBOX_FAULTS)) {
      netbox.setScript(script);
      const expectedStatus = name === 'rejectionEchoingCredential' ? 403 : 503;
      for (const headers of Object.values(CREDENTIALS)) {
        expect([name, await capture(SUMMARY_ROUTE, headers)]).toEqual([name, expectedStatus]);
      }
    }
    netbox.setScript(allowEveryone);

    for (const headers of Object.values(CREDENTIALS)) {
      expect(await capture(SUMMARY_ROUTE, headers)).toBe(200);
      await capture(vmRoute('abc'), headers);
      await capture(`${SUMMARY_ROUTE}?token=${TOKEN}&key=${API_KEY}`, headers);
      await capture(SUMMARY_ROUTE, headers, 'POST');
      await capture('/api/plugins/proxbox/ha/unknown/', headers);
      const raw = await rawCall(gateway.url, '/api/plugins/proxbox/ha/vm/%E0%A4%A/', headers);
      captured.push(raw.text);
    }
    await capture(SUMMARY_ROUTE, { Authorization: `Token  ${TOKEN}` });
    await capture(SUMMARY_ROUTE, { Authorization: `Token ${TOKEN}`.repeat(200) });
    await sendRaw(`GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Token ${TOKEN}\r\nX-Bad: a\rb\r\n\r\n`);
    await sendRaw(`GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: gateway\r\nCookie: sessionid=${SESSION}${'x'.repeat(20_000)}\r\n\r\n`);
    await sendRaw(`GET /${API_KEY}${'y'.repeat(20_000)} HTTP/1.1\r\nHost: gateway\r\n\r\n`);

    const metrics = await call(`${gateway.url}/metrics`);
    if (metrics.status !== 404) {
      expect(metrics.status).toBe(200);
      captured.push(metrics.text);
    }

    expect(gateway.logs.length).toBeGreaterThan(100);
    expect(captured.length).toBeGreaterThan(100);
    const logText = gateway.logs.join('\n');
    const bodyText = captured.join('\n');
    const found = MARKS.map((mark) => ({ mark, inLogs: logText.includes(mark), inResponses: bodyText.includes(mark) }));
    expect(found).toEqual(MARKS.map((mark) => ({ mark, inLogs: false, inResponses: false })));
  });
});

describe('quoted secrets', () => {
  test('backend detail quoting the key is redacted', async () => {
    backend.setScript(BACKEND_FAULTS.keyRejectedEchoingKey);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: CREDENTIALS.token });

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual({
      detail: 'proxbox-api rejected the API key (HTTP 401). Set PROXBOX_API_KEY to a key proxbox-api accepts. proxbox-api says: "Invalid API key: [redacted]".',
      code: 'backend_key_rejected',
    });
    backend.setScript(answerSummary);
  });

  test('NetBox detail quoting the token is redacted', async () => {
    netbox.setScript(NETBOX_FAULTS.rejectionEchoingCredential);

    const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`, { headers: CREDENTIALS.v2Token });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual({ detail: 'Invalid token Bearer [redacted]', code: 'credentials_rejected' });
    netbox.setScript(allowEveryone);
  });
});
