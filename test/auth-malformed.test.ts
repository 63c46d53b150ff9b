import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { SESSIONS, V1_TOKENS, V2_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { FIXTURE_SECRETS, expectLogsFreeOf } from './support/credentials.js';
import { rawCall, startGateway, SUMMARY_ROUTE, type Answer, type RunningGateway } from './support/gateway.js';

const API_KEY = 'sim-api-key-malformed-3a6e';
const MALFORMED_ADVICE = 'Send "Authorization: Token <key>" or "Authorization: Bearer nbt_<key>.<secret>" with a single space and no control characters.';
const MALFORMED = {
  detail: `The Authorization header or session cookie is malformed. ${MALFORMED_ADVICE}`,
  code: 'credentials_malformed',
};

/** Builds the error body for a malformed credential whose detail names what is wrong with it. */
function malformedBecause(reason: string) {
  return { detail: `The Authorization header or session cookie is malformed (${reason}). ${MALFORMED_ADVICE}`, code: 'credentials_malformed' };
}

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: RunningGateway;
let openGateway: RunningGateway;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  const common = { PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, NETBOX_URL: netbox.url };
  gateway = await startGateway(common);
  openGateway = await startGateway({ ...common, LOGIN_REQUIRED: 'false' });
});

afterAll(async () => {
  await Promise.all([gateway.close(), openGateway.close()]);
  await Promise.all([backend.close(), netbox.close()]);
});

afterEach(() => {
  backend.requests.length = 0;
  netbox.requests.length = 0;
});

function expectMalformed(answer: Answer, body: { detail: string; code: string } = MALFORMED): void {
  expect(answer.status).toBe(403);
  expect(JSON.parse(answer.text)).toEqual(body);
  expect(netbox.requests).toHaveLength(0);
  expect(backend.requests).toHaveLength(0);
}

describe('malformed Authorization header', () => {
  test('rejects an empty header', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: '' }));
  });

  test('rejects a scheme without a token', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: 'Token' }));
  });

  test('rejects an empty token', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: 'Token ' }));
  });

  test('rejects a token without a scheme', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: V1_TOKENS.admin }));
  });

  test('rejects two spaces after the scheme', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: `Token  ${V1_TOKENS.admin}` }));
  });

  test('rejects a space inside the token', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: `Token ${V1_TOKENS.admin} extra` }));
  });

  test('rejects a tab inside the token', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: `Token 0123456789\tabcdef` }));
  });

  test('rejects a tab after the scheme', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: `Token\t${V1_TOKENS.admin}` }));
  });

  test('rejects a non-ASCII token', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: 'Token caf\u00e9' }));
  });

  test('rejects a header over 4 KB', async () => {
    const authorization = `Token ${'a'.repeat(4091)}`;
    expect(authorization).toHaveLength(4097);

    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: authorization }), malformedBecause('longer than 4096 characters'));
  });

  test('rejects an unknown scheme', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: 'Basic YWRtaW46YWRtaW4=' }));
  });

  test('rejects a bearer token without nbt_', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: `Bearer ${V1_TOKENS.admin}` }), malformedBecause('Bearer takes a v2 token, nbt_<key>.<secret>; a v1 key goes with Token'));
  });

  test('rejects a v2 token without its secret', async () => {
    const keyOnly = V2_TOKENS.proxmoxViewer.split('.', 1)[0];

    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: `Bearer ${keyOnly}` }), malformedBecause('Bearer takes a v2 token, nbt_<key>.<secret>; a v1 key goes with Token'));
  });

  test('rejects it even beside a valid cookie', async () => {
    const answer = await rawCall(gateway.url, SUMMARY_ROUTE, { Authorization: 'Token', Cookie: `sessionid=${SESSIONS.admin}` });

    expectMalformed(answer);
  });

  test('rejects it while login is optional', async () => {
    expectMalformed(await rawCall(openGateway.url, SUMMARY_ROUTE, { Authorization: `Token  ${V1_TOKENS.admin}` }));
  });
});

describe('malformed session cookie', () => {
  test('rejects an empty session ID', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Cookie: 'csrftoken=abc; sessionid=' }));
  });

  test('rejects a space inside the session ID', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Cookie: `sessionid=${SESSIONS.admin} x` }));
  });

  test('rejects a session ID over 4 KB', async () => {
    expectMalformed(await rawCall(gateway.url, SUMMARY_ROUTE, { Cookie: `sessionid=${'s'.repeat(4097)}` }), malformedBecause('session ID longer than 4096 characters'));
  });
});

/** Sends one request as raw bytes, which no HTTP client would let through, and returns the status line. */
function sendRawRequest(url: string, authorization: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.end(`GET ${SUMMARY_ROUTE} HTTP/1.1\r\nHost: gateway\r\nAuthorization: ${authorization}\r\nConnection: close\r\n\r\n`, 'latin1');
    });
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('close', () => resolve(response.split('\r\n', 1)[0]));
    socket.on('error', reject);
  });
}

describe('control characters Node rejects', () => {
  // Node's HTTP parser rejects these header bytes before any route or guard runs, so the status is its 400.
  test.each([
    ['a NUL byte', '\u0000'],
    ['a bell character', '\u0007'],
    ['an escape character', '\u001b'],
    ['a DEL character', '\u007f'],
  ])('rejects %s without asking NetBox', async (_label, character) => {
    const statusLine = await sendRawRequest(gateway.url, `Token 0123456789${character}abcdef`);

    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(netbox.requests).toHaveLength(0);
    expect(backend.requests).toHaveLength(0);
  });
});

describe('logs', () => {
  test('carry no credential or key', () => {
    for (const target of [gateway, openGateway]) {
      expectLogsFreeOf(target.logs, [...FIXTURE_SECRETS, API_KEY]);
    }
  });
});
