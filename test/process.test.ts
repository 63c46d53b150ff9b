import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { failureBody } from './support/failure-body.js';
import { call } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';

interface OpenApiOperation {
  responses: Record<string, { content?: Record<string, { schema?: unknown; examples?: Record<string, { value: unknown }> }> }>;
  security?: Record<string, string[]>[];
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, Record<string, string>> };
}

const SUMMARY_PATH = '/api/plugins/proxbox/ha/summary';
const VM_PATH = '/api/plugins/proxbox/ha/vm/{vmid}';

describe('configured gateway process', () => {
  let backend: ProxboxApiSimulator;
  let gateway: GatewayProcess;
  let document: OpenApiDocument;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator();
    gateway = await spawnGateway({ PROXBOX_API_URL: backend.url, LOGIN_REQUIRED: 'false' });
    document = JSON.parse((await call(`${gateway.url}/api/docs-json`)).text) as OpenApiDocument;
  });

  afterAll(async () => {
    await gateway?.stop();
    await backend?.close();
  });

  test('healthz answers ok', async () => {
    const answer = await call(`${gateway.url}/healthz`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"status":"ok"}');
  });

  test('readyz answers 200 when configured', async () => {
    const answer = await call(`${gateway.url}/readyz`);

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ status: 'ready' });
  });

  test('docs serve Swagger UI', async () => {
    const answer = await call(`${gateway.url}/api/docs`);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toContain('swagger-ui');
  });

  test('OpenAPI lists both HA routes', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.paths[SUMMARY_PATH]?.get).toBeDefined();
    expect(document.paths[VM_PATH]?.get).toBeDefined();
  });

  test('summary documents both generations', () => {
    const schema = document.paths[SUMMARY_PATH].get.responses['200'].content?.['application/json'].schema;

    expect(schema).toEqual({ oneOf: [{ $ref: '#/components/schemas/HaSummary' }, { $ref: '#/components/schemas/LegacyHaSummary' }] });
    expect(document.components.schemas).toHaveProperty('HaSummary');
    expect(document.components.schemas).toHaveProperty('LegacyHaSummary');
  });

  test('per-VM route documents record and {}', () => {
    const ok = document.paths[VM_PATH].get.responses['200'].content?.['application/json'];

    expect(ok?.schema).toEqual({
      oneOf: [{ $ref: '#/components/schemas/HaResource' }, expect.objectContaining({ type: 'object', additionalProperties: false })],
    });
    expect(ok?.examples?.unmanaged.value).toEqual({});
    expect(ok?.examples?.managed.value).toMatchObject({ sid: 'vm:101' });
  });

  test.each([
    ['per-VM', '400', 'invalid_vmid', VM_PATH],
    ['summary', '403', 'credentials_missing', SUMMARY_PATH],
    ['per-VM', '403', 'permission_denied', VM_PATH],
    ['summary', '502', 'backend_timeout', SUMMARY_PATH],
    ['per-VM', '502', 'backend_refused', VM_PATH],
    ['summary', '503', 'backend_ha_unsupported', SUMMARY_PATH],
    ['per-VM', '503', 'backend_not_configured', VM_PATH],
  ])('%s route documents %s with %s', (_route, status, code, path) => {
    const content = document.paths[path].get.responses[status]?.content?.['application/json'];

    expect(content?.schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    expect(content?.examples?.[code].value).toEqual({ detail: expect.any(String), code });
  });

  test('HA-unsupported example quotes the upgrade hint', () => {
    const example = document.paths[SUMMARY_PATH].get.responses['503'].content?.['application/json'].examples?.backend_ha_unsupported;

    expect(JSON.stringify(example?.value)).toBe(failureBody('backend_ha_unsupported'));
  });

  test('error examples name each route\'s own deadline', () => {
    const timeoutDetail = (path: string) =>
      (document.paths[path].get.responses['502'].content?.['application/json'].examples?.['backend_timeout'].value as { detail: string }).detail;

    expect(timeoutDetail(SUMMARY_PATH)).toBe('proxbox-api at http://proxbox-api:8800 did not answer within the 15 s limit (HA_SUMMARY_TIMEOUT_MS).');
    expect(timeoutDetail(VM_PATH)).toBe('proxbox-api at http://proxbox-api:8800 did not answer within the 10 s limit (HA_VM_TIMEOUT_MS).');
  });

  test('NetBox error examples name NetBox', () => {
    const examples = document.paths[SUMMARY_PATH].get.responses['503'].content?.['application/json'].examples ?? {};
    const netboxDetails = Object.entries(examples)
      .filter(([code]) => code.startsWith('netbox_') && code !== 'netbox_not_configured')
      .map(([, example]) => (example.value as { detail: string }).detail);

    expect(netboxDetails.length).toBeGreaterThanOrEqual(7);
    for (const detail of netboxDetails) {
      expect(detail).toMatch(/NetBox at https?:\/\/netbox/);
      expect(detail).not.toContain('proxbox-api:8800');
    }
  });

  test('each error example carries its own code', () => {
    for (const path of [SUMMARY_PATH, VM_PATH]) {
      for (const [status, response] of Object.entries(document.paths[path].get.responses)) {
        if (status === '200') continue;
        for (const [name, example] of Object.entries(response.content?.['application/json'].examples ?? {})) {
          expect((example.value as { code: string }).code).toBe(name);
        }
      }
    }
  });

  test('summary route has no 400 response', () => {
    expect(Object.keys(document.paths[SUMMARY_PATH].get.responses).sort()).toEqual(['200', '403', '502', '503']);
  });

  test('OpenAPI declares the netbox-token scheme', () => {
    expect(document.components.securitySchemes['netbox-token']).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    expect(document.paths[SUMMARY_PATH].get.security).toContainEqual({ 'netbox-token': [] });
    expect(document.paths[VM_PATH].get.security).toContainEqual({ 'netbox-token': [] });
  });

  test('SIGTERM stops the process cleanly', async () => {
    const short = await spawnGateway({ PROXBOX_API_URL: backend.url, LOGIN_REQUIRED: 'false' });

    expect(await short.stop()).toBe(0);
  });
});

describe('gateway process without a backend', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await spawnGateway({ LOGIN_REQUIRED: 'false' });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  test('readyz answers 503 not_ready', async () => {
    const answer = await call(`${gateway.url}/readyz`);

    expect(answer.status).toBe(503);
    expect(answer.text).toBe(failureBody('not_ready', { reason: 'PROXBOX_API_URL is not set, so every HA request answers 503.' }));
  });

  test('healthz still answers ok', async () => {
    const answer = await call(`${gateway.url}/healthz`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"status":"ok"}');
  });
});
