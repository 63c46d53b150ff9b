import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary } from '../simulators/sample-ha-data.js';
import { SUMMARY_ROUTE } from './support/gateway.js';

// Each request spends this long at the backend, so SIGTERM arrives while all of them are in flight.
const BACKEND_DELAY_MS = 2000;
const SHUTDOWN_GRACE_MS = 10_000;
const IN_FLIGHT = 60;

let backend: ProxboxApiSimulator;
let gateway: ChildProcess;
let gatewayUrl: URL;
let stderr = '';

beforeAll(async () => {
  backend = await startProxboxApiSimulator();
  backend.setFault({ kind: 'slow', delayMs: BACKEND_DELAY_MS });

  gateway = spawn(process.execPath, ['dist/main.js'], {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      PROXBOX_API_URL: backend.url,
      LOGIN_REQUIRED: 'false',
      SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  gateway.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  gatewayUrl = await new Promise<URL>((resolve, reject) => {
    let pending = '';
    gateway.once('exit', (code) => reject(new Error(`the gateway exited with code ${code} before listening: ${stderr}`)));
    gateway.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (const line of pending.split('\n')) {
        if (line.includes('proxbox-ha-gateway listening')) resolve(new URL((JSON.parse(line) as { url: string }).url));
      }
    });
  });
});

afterAll(async () => {
  if (gateway.exitCode === null) gateway.kill('SIGKILL');
  await backend.close();
});

/** Sends one GET on its own connection and resolves with status and body. */
function getOnNewConnection(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: gatewayUrl.hostname, port: gatewayUrl.port, path, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Resolves with the error code of a TCP connection attempt, or "connected". */
function tryConnect(): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(gatewayUrl.port), gatewayUrl.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

async function waitFor(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('SIGTERM under load drains and exits 0', async () => {
  const answers = Array.from({ length: IN_FLIGHT }, () => getOnNewConnection(SUMMARY_ROUTE));
  let answered = 0;
  for (const answer of answers) void answer.then(() => (answered += 1), () => (answered += 1));
  await waitFor(() => backend.requests.length === IN_FLIGHT, 'every request to reach the backend');

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((resolve) => {
    const signalled = Date.now();
    gateway.once('exit', (code, signal) => resolve({ code, signal, afterMs: Date.now() - signalled }));
  });
  gateway.kill('SIGTERM');

  let attempt = await tryConnect();
  while (attempt === 'connected') {
    await new Promise((resolve) => setTimeout(resolve, 20));
    attempt = await tryConnect();
  }
  expect(attempt).toBe('ECONNREFUSED');
  // The listener closed while the requests were still waiting on the backend.
  expect(answered).toBe(0);

  const results = await Promise.all(answers);
  expect(results.map((result) => result.status)).toEqual(Array(IN_FLIGHT).fill(200));
  expect(results.every((result) => result.body === sampleSummary())).toBe(true);

  const exit = await exited;
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(exit.afterMs).toBeLessThan(SHUTDOWN_GRACE_MS);
  expect(stderr).toBe('');
}, 40_000);
