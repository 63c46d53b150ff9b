import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary } from '../simulators/sample-ha-data.js';
import { call, SUMMARY_ROUTE } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { tryConnect, waitForRefusedConnections } from './support/tcp.js';
import { waitFor } from './support/wait-for.js';

const API_KEY = 'sim-api-key-shutdown';

let backend: ProxboxApiSimulator;
let gateway: GatewayProcess | undefined;
let releaseBackend: () => void;

beforeEach(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  releaseBackend = () => {};
});

afterEach(async () => {
  releaseBackend();
  await gateway?.stop();
  gateway = undefined;
  await backend.close();
});

function startGatewayProcess(graceMs: number): Promise<GatewayProcess> {
  return spawnGateway({
    PROXBOX_API_URL: backend.url,
    PROXBOX_API_KEY: API_KEY,
    LOGIN_REQUIRED: 'false',
    SHUTDOWN_GRACE_MS: String(graceMs),
  });
}

function logged(running: GatewayProcess, msg: string): boolean {
  return running.stdoutLines.some((line) => (JSON.parse(line) as { msg?: string }).msg === msg);
}

describe('SIGTERM', () => {
  test('drains request in flight, exits 0', async () => {
    backend.setFault({ kind: 'held', release: new Promise<void>((resolve) => (releaseBackend = resolve)) });
    gateway = await startGatewayProcess(30_000);
    const running = gateway;
    const port = Number(new URL(running.url).port);

    const inFlight = call(`${running.url}${SUMMARY_ROUTE}`);
    await waitFor('the backend to hold the request', () => backend.requests.length === 1);
    let exited = false;
    const exitCode = running.stop().then((code) => {
      exited = true;
      return code;
    });
    await waitFor('the drain log line', () => logged(running, 'shutting down: draining requests in flight'));

    await waitForRefusedConnections(port);
    expect(exited).toBe(false);

    releaseBackend();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleSummary());

    expect(await exitCode).toBe(0);
    expect(logged(running, 'stopped')).toBe(true);
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  test('exits 1 when grace period ends', async () => {
    backend.setFault({ kind: 'hang' });
    gateway = await startGatewayProcess(500);
    const running = gateway;

    const inFlight = call(`${running.url}${SUMMARY_ROUTE}`).then(
      (answer) => `answered ${answer.status}`,
      (error: unknown) => String(error),
    );
    await waitFor('the backend to hold the request', () => backend.requests.length === 1);

    expect(await running.stop()).toBe(1);
    expect(logged(running, 'grace period over: exiting with requests still in flight')).toBe(true);
    expect(await inFlight).toBe('TypeError: fetch failed');
  });
});
