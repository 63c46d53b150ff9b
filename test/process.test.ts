import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { GROUPS, RESOURCES, STATUS_ROWS, sampleSummary } from '../simulators/sample-ha-data.js';
import { failureBody } from './support/failure-body.js';
import { call } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { schemaViolations, type SchemaObject } from './support/openapi-schema.js';

interface OpenApiMediaType {
  schema?: SchemaObject;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

interface OpenApiOperation {
  responses: Record<string, { description?: string; content?: Record<string, OpenApiMediaType> }>;
  security?: Record<string, string[]>[];
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, SchemaObject & { properties?: Record<string, SchemaObject> }>; securitySchemes: Record<string, Record<string, string>> };
}

// Properties whose values really are JSON objects. None of the DTOs has one
// today; a property reflected as Object by mistake must not hide here.
const OBJECT_PROPERTIES: string[] = [];
const SCALAR_AND_ARRAY_TYPES = ['string', 'integer', 'number', 'boolean', 'array'];

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

    expect(schema).toEqual({ anyOf: [{ $ref: '#/components/schemas/HaSummary' }, { $ref: '#/components/schemas/LegacyHaSummary' }] });
    expect(document.components.schemas).toHaveProperty('HaSummary');
    expect(document.components.schemas).toHaveProperty('LegacyHaSummary');
  });

  test('per-VM route documents record and {}', () => {
    const ok = document.paths[VM_PATH].get.responses['200'].content?.['application/json'];

    expect(ok?.schema).toEqual({
      anyOf: [{ $ref: '#/components/schemas/HaResource' }, expect.objectContaining({ type: 'object', additionalProperties: false })],
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

  test('schema properties are never mistyped as object', () => {
    const mistyped: string[] = [];
    for (const [schemaName, schema] of Object.entries(document.components.schemas)) {
      for (const [propertyName, property] of Object.entries(schema.properties ?? {})) {
        const name = `${schemaName}.${propertyName}`;
        if (OBJECT_PROPERTIES.includes(name)) {
          expect(property.type).toBe('object');
        } else if (!SCALAR_AND_ARRAY_TYPES.includes(property.type as string)) {
          mistyped.push(`${name}: ${String(property.type)}`);
        }
      }
    }

    expect(mistyped).toEqual([]);
  });

  test.each([
    ['HaStatusRow', 'id', 'string'],
    ['HaStatusRow', 'quorate', 'boolean'],
    ['HaStatusRow', 'timestamp', 'integer'],
    ['HaResource', 'max_restart', 'integer'],
    ['HaResource', 'failback', 'boolean'],
    ['HaGroup', 'nodes', 'string'],
    ['HaRule', 'strict', 'boolean'],
    ['HaNode', 'quorum', 'integer'],
  ])('%s.%s is a nullable %s', (schemaName, propertyName, type) => {
    const property = document.components.schemas[schemaName].properties?.[propertyName];

    expect(property?.type).toBe(type);
    expect(property?.nullable).toBe(true);
  });

  test.each([
    ['summary', '/api/plugins/proxbox/ha/summary/', SUMMARY_PATH],
    ['HA-managed VM', '/api/plugins/proxbox/ha/vm/101/', VM_PATH],
    ['HA-managed container', '/api/plugins/proxbox/ha/vm/205/', VM_PATH],
    ['unmanaged guest', '/api/plugins/proxbox/ha/vm/150/', VM_PATH],
  ])('%s body passes its 200 schema', async (_case, route, path) => {
    const answer = await call(`${gateway.url}${route}`);
    const schema = document.paths[path].get.responses['200'].content?.['application/json'].schema as SchemaObject;

    expect(answer.status).toBe(200);
    expect(schemaViolations(schema, JSON.parse(answer.text), document.components.schemas)).toEqual([]);
  });

  test('older backend summary passes its 200 schema', async () => {
    const legacySummary = { nodes: [{ node: 'pve-01', online: true, ha_state: 'active', quorum: 1 }], groups: GROUPS, resources: RESOURCES, status: STATUS_ROWS };
    backend.setSummary(JSON.stringify(legacySummary));
    try {
      const answer = await call(`${gateway.url}/api/plugins/proxbox/ha/summary/`);
      const schema = document.paths[SUMMARY_PATH].get.responses['200'].content?.['application/json'].schema as SchemaObject;

      expect(answer.status).toBe(200);
      expect(schemaViolations(schema, JSON.parse(answer.text), document.components.schemas)).toEqual([]);
    } finally {
      backend.setSummary(sampleSummary());
    }
  });

  test('mistyped field fails the summary schema', () => {
    const schema = document.paths[SUMMARY_PATH].get.responses['200'].content?.['application/json'].schema as SchemaObject;
    const body = { status: [{ ...STATUS_ROWS[0], timestamp: 'yesterday' }], groups: [], resources: [], rules: [] };

    expect(schemaViolations(schema, body, document.components.schemas)).toContain('$: matches none of the anyOf branches');
  });

  test('every response has a description', () => {
    const undescribed: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if ((response.description ?? '').trim() === '') undescribed.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }

    expect(undescribed).toEqual([]);
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

  test('readyz 503 example is the real body', async () => {
    const answer = await call(`${gateway.url}/readyz`);
    const document = JSON.parse((await call(`${gateway.url}/api/docs-json`)).text) as OpenApiDocument;
    const documented = document.paths['/readyz'].get.responses['503'].content?.['application/json'];

    expect(answer.status).toBe(503);
    expect(documented?.example).toEqual(JSON.parse(answer.text));
    expect(documented?.schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
  });

  test('healthz still answers ok', async () => {
    const answer = await call(`${gateway.url}/healthz`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"status":"ok"}');
  });
});
