import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { call, startGateway, vmRoute, type RunningGateway } from './support/gateway.js';

// The gateway has no route that takes a body, so a body it cannot parse must
// still end in the method or route error, never in a 500.

let backend: ProxboxApiSimulator;
let gateway: RunningGateway;

const METHOD_NOT_ALLOWED = { detail: 'This route is read-only: use GET or HEAD.', code: 'method_not_allowed' };

beforeAll(async () => {
  backend = await startProxboxApiSimulator();
  gateway = await startGateway({ PROXBOX_API_URL: backend.url, LOGIN_REQUIRED: 'false' });
});

afterAll(async () => {
  await gateway.close();
  await backend.close();
});

function errorLines(): string[] {
  return gateway.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
}

describe('request bodies on read-only routes', () => {
  test.each([
    ['truncated JSON', 'POST', { 'Content-Type': 'application/json' }, '{"a":'],
    ['an empty JSON body', 'PUT', { 'Content-Type': 'application/json' }, ''],
    ['a 2 MB JSON body', 'POST', { 'Content-Type': 'application/json' }, JSON.stringify({ pad: 'x'.repeat(2_000_000) })],
    ['a body claiming gzip', 'POST', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, 'xx'],
    ['an unknown media type', 'PATCH', { 'Content-Type': 'application/x-unknown' }, 'abc'],
  ])('answers %s with 405', async (_label, method, headers, body) => {
    const answer = await call(`${gateway.url}${vmRoute(101)}`, { method, headers, body });

    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD');
    expect(JSON.parse(answer.text)).toEqual(METHOD_NOT_ALLOWED);
    expect(errorLines()).toEqual([]);
  });

  test('answers a bad body on an unknown path with 404', async () => {
    const answer = await call(`${gateway.url}/nope`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":' });

    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toMatchObject({ code: 'not_found' });
    expect(errorLines()).toEqual([]);
  });

  test.each(['/healthz', '/readyz', '/metrics'])('answers POST %s with 405', async (path) => {
    const answer = await call(`${gateway.url}${path}`, { method: 'POST' });

    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD');
    expect(JSON.parse(answer.text)).toEqual({ detail: 'This route is read-only: use GET or HEAD.', code: 'method_not_allowed' });
  });

  test('never calls the backend for a body', async () => {
    expect(backend.requests).toHaveLength(0);
  });
});
