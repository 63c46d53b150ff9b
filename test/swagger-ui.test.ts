import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator, type NetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { sampleSummary, sampleVmResource } from '../simulators/sample-ha-data.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';

// Debian's chromium package, driven by playwright-core: no browser download.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// The whole page, and each route's "Server response" section at readable size.
const SCREENSHOTS = {
  page: 'test-output/swagger-ui.png',
  summary: 'test-output/swagger-ui-summary.png',
  vm: 'test-output/swagger-ui-vm.png',
};
const API_KEY = 'sim-api-key-swagger';
const UI_TIMEOUT_MS = 20_000;

let backend: ProxboxApiSimulator;
let netbox: NetBoxSimulator;
let gateway: GatewayProcess;
let userDataDirectory: string;
let browser: BrowserContext;

beforeAll(async () => {
  backend = await startProxboxApiSimulator({ apiKey: API_KEY });
  netbox = await startNetBoxSimulator();
  gateway = await spawnGateway({ PROXBOX_API_URL: backend.url, PROXBOX_API_KEY: API_KEY, NETBOX_URL: netbox.url, LOGIN_REQUIRED: 'true' });
  userDataDirectory = mkdtempSync(join(tmpdir(), 'ha-gateway-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDirectory, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await netbox?.close();
  await backend?.close();
  if (userDataDirectory) rmSync(userDataDirectory, { recursive: true, force: true });
});

function operation(page: Page, path: string): Locator {
  return page.locator('.opblock').filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
}

async function authorize(page: Page, credential: string): Promise<void> {
  await page.locator('.scheme-container button.authorize').click();
  const scheme = page.locator('.auth-container').filter({ hasText: 'netbox-token' });
  await scheme.locator('input').fill(credential);
  await scheme.locator('button.authorize').click();
  await scheme.locator('button', { hasText: 'Logout' }).waitFor();
  await scheme.locator('button.btn-done').click();
}

/**
 * Runs "Try it out" and "Execute" on one operation, saves a screenshot of the
 * server response, and returns the status and body that Swagger UI shows.
 */
async function execute(page: Page, path: string, screenshot: string, parameters: Record<string, string> = {}): Promise<{ status: string; body: string }> {
  const block = operation(page, path);
  await block.locator('.opblock-summary').click();
  await block.locator('button.try-out__btn').click();
  for (const [name, value] of Object.entries(parameters)) {
    await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
  }
  await block.locator('button.execute').click();

  const response = block.locator('.live-responses-table .response');
  await response.locator('.response-col_status').waitFor({ timeout: UI_TIMEOUT_MS });
  const status = (await response.locator('.response-col_status').innerText()).trim();
  const body = await response.locator('.response-col_description pre').first().innerText();
  await block.locator('.live-responses-table').screenshot({ path: screenshot });
  return { status, body };
}

test('Swagger UI executes both routes', async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);

  await page.goto(`${gateway.url}/api/docs`);
  await page.locator('.swagger-ui .info .title').waitFor();
  await authorize(page, `Token ${V1_TOKENS.admin}`);

  mkdirSync('test-output', { recursive: true });
  const summary = await execute(page, '/api/plugins/proxbox/ha/summary', SCREENSHOTS.summary);
  const vm = await execute(page, '/api/plugins/proxbox/ha/vm/{vmid}', SCREENSHOTS.vm, { vmid: '101' });
  await page.screenshot({ path: SCREENSHOTS.page, fullPage: true });

  expect(summary.status).toBe('200');
  expect(JSON.parse(summary.body)).toEqual(JSON.parse(sampleSummary()));
  expect(vm.status).toBe('200');
  expect(JSON.parse(vm.body)).toEqual(JSON.parse(sampleVmResource(101)));
  const credentialChecks = netbox.requests.filter((request) => request.url.startsWith('/api/plugins/proxbox/endpoints/'));
  expect(credentialChecks.length).toBeGreaterThan(0);
  for (const check of credentialChecks) expect(check.headers.authorization).toBe(`Token ${V1_TOKENS.admin}`);
  expect(backend.requests.map((request) => request.url)).toEqual(['/proxmox/cluster/ha/summary', '/proxmox/cluster/ha/resources/by-vm/101']);
}, 90_000);
