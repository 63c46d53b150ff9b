import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary } from '../simulators/sample-ha-data.js';
import { FIXTURE_SECRETS, expectLogsFreeOf } from './support/credentials.js';
import { call } from './support/gateway.js';

// Swagger needs plain Node, so these tests run the built server as a child process.
const API_KEY = 'sim-api-key-openapi-e04d';

interface OpenApiOperation {
  security?: Record<string, string[]>[];
}

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let server: ChildProcessWithoutNullStreams;
let serverUrl: string;
const serverLogs: string[] = [];

/** Starts `node dist/main.js` and resolves with the URL from its "listening" log line. */
function startServer(env: Record<string, string>): Promise<string> {
  server = spawn(process.execPath, ['dist/main.js'], { env: { PATH: process.env.PATH ?? '', ...env } });
  server.stderr.on('data', (chunk: Buffer) => serverLogs.push(chunk.toString('utf8')));

  return new Promise((resolve, reject) => {
    let pending = '';
    server.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        serverLogs.push(line);
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'proxbox-ha-gateway listening' && entry.url) resolve(entry.url.replace('[::1]', '127.0.0.1'));
      }
    });
    server.once('exit', (code) => reject(new Error(`the gateway exited with code ${code} before listening`)));
  });
}

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  serverUrl = await startServer({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'debug',
    PROXBOX_API_URL: backend.url,
    PROXBOX_API_KEY: API_KEY,
    NETBOX_URL: netbox.url,
  });
});

afterAll(async () => {
  const exited = new Promise((resolve) => server.once('close', resolve));
  server.kill('SIGTERM');
  await exited;
  await Promise.all([backend.close(), netbox.close()]);
});

test('Swagger UI needs no credentials', async () => {
  const page = await call(`${serverUrl}/api/docs`);

  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(netbox.requests).toHaveLength(0);
});

test('Authorize dialog takes a NetBox token', async () => {
  const document = JSON.parse((await call(`${serverUrl}/api/docs-json`)).text) as {
    components: { securitySchemes: Record<string, unknown> };
    paths: Record<string, Record<string, OpenApiOperation>>;
  };

  expect(document.components.securitySchemes['netbox-token']).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
  expect(document.components.securitySchemes['netbox-session']).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'sessionid' });
  const haOperations = Object.entries(document.paths).filter(([path]) => path.startsWith('/api/plugins/proxbox/ha/'));
  expect(haOperations).toHaveLength(2);
  for (const [, operations] of haOperations) {
    expect(operations.get.security).toEqual(expect.arrayContaining([{ 'netbox-token': [] }, { 'netbox-session': [] }]));
  }
  expect(document.paths['/healthz'].get.security).toBeUndefined();
});

test('Try it out works with the token', async () => {
  // Swagger UI sends the value entered in the dialog as the Authorization header, scheme included.
  const answer = await call(`${serverUrl}/api/plugins/proxbox/ha/summary`, { headers: { Authorization: `Token ${V1_TOKENS.admin}` } });

  expect(answer.status).toBe(200);
  expect(answer.text).toBe(sampleSummary());
});

test('server logs carry no credential or key', () => {
  expectLogsFreeOf(serverLogs, [...FIXTURE_SECRETS, API_KEY]);
});
