import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { failureBody } from './support/failure-body.js';
import { call, SUMMARY_ROUTE, vmRoute } from './support/gateway.js';
import { runGatewayToExit, spawnGateway, type GatewayProcess } from './support/gateway-process.js';

const PREFIX = 'proxbox-ha-gateway: Invalid configuration: ';

describe('invalid configuration', () => {
  test.each([
    [
      'URL that does not parse',
      { PROXBOX_API_URL: 'http://[proxbox-api', LOGIN_REQUIRED: 'false' },
      'PROXBOX_API_URL is not a valid URL (expected something like http://host:port) (got "http://[proxbox-api").',
    ],
    [
      'URL with another scheme',
      { PROXBOX_API_URL: 'ftp://proxbox-api:8800', LOGIN_REQUIRED: 'false' },
      'PROXBOX_API_URL must use http:// or https://, not ftp:// (got "ftp://proxbox-api:8800").',
    ],
    [
      'negative timeout',
      { HA_VM_TIMEOUT_MS: '-5', LOGIN_REQUIRED: 'false' },
      'HA_VM_TIMEOUT_MS must not be less than 1 (got "-5").',
    ],
    [
      'timeout that is not a number',
      { HA_SUMMARY_TIMEOUT_MS: '15s', LOGIN_REQUIRED: 'false' },
      'HA_SUMMARY_TIMEOUT_MS must be an integer number (got "15s").',
    ],
    [
      'unreadable CA file',
      { PROXBOX_API_CA_FILE: '/nonexistent/proxbox-ca.pem', LOGIN_REQUIRED: 'false' },
      'PROXBOX_API_CA_FILE names a file that cannot be read (ENOENT) (got "/nonexistent/proxbox-ca.pem").',
    ],
    [
      'login required without NetBox',
      { LOGIN_REQUIRED: 'true' },
      'NETBOX_URL is required while LOGIN_REQUIRED=true, because NetBox checks every credential (set LOGIN_REQUIRED=false to allow anonymous access).',
    ],
    [
      'login required by default without NetBox',
      {},
      'NETBOX_URL is required while LOGIN_REQUIRED=true, because NetBox checks every credential (set LOGIN_REQUIRED=false to allow anonymous access).',
    ],
    [
      'bad boolean',
      { PROXBOX_API_VERIFY_TLS: 'maybe', LOGIN_REQUIRED: 'false' },
      'PROXBOX_API_VERIFY_TLS must be true or false (1/0, yes/no and on/off also work) (got "maybe").',
    ],
    [
      'timeout beyond what Node timers hold',
      { HA_VM_TIMEOUT_MS: '99999999999', LOGIN_REQUIRED: 'false' },
      'HA_VM_TIMEOUT_MS must not be greater than 2147483647 (got "99999999999").',
    ],
    [
      'NetBox timeout beyond what Node timers hold',
      { NETBOX_TIMEOUT_MS: '2147483648', LOGIN_REQUIRED: 'false' },
      'NETBOX_TIMEOUT_MS must not be greater than 2147483647 (got "2147483648").',
    ],
    [
      'URL without a scheme',
      { NETBOX_URL: 'netbox:8080' },
      'NETBOX_URL is missing http:// or https:// (for example http://netbox:8080) (got "netbox:8080").',
    ],
    [
      'IP address without a scheme',
      { PROXBOX_API_URL: '127.0.0.1:8800', LOGIN_REQUIRED: 'false' },
      'PROXBOX_API_URL is missing http:// or https:// (for example http://127.0.0.1:8800) (got "127.0.0.1:8800").',
    ],
    [
      'bad LOG_LEVEL',
      { LOG_LEVEL: 'verbose', LOGIN_REQUIRED: 'false' },
      'LOG_LEVEL must be one of the following values: fatal, error, warn, info, debug, trace, silent (got "verbose").',
    ],
  ])('rejects %s with exit code 2', async (_label, env, message) => {
    const finished = await runGatewayToExit(env);

    expect(finished.exitCode).toBe(2);
    expect(finished.stderrLines).toEqual([`${PREFIX}${message}`]);
    expect(finished.stdoutLines).toEqual([]);
  });

  test('API key never appears in the error', async () => {
    const finished = await runGatewayToExit({ PROXBOX_API_KEY: 'key-that-must-stay-secret', HA_VM_TIMEOUT_MS: '0', LOGIN_REQUIRED: 'false' });

    expect(finished.exitCode).toBe(2);
    expect(finished.stderrLines).toEqual([`${PREFIX}HA_VM_TIMEOUT_MS must not be less than 1 (got "0").`]);
    expect(finished.stderrLines.join('\n')).not.toContain('key-that-must-stay-secret');
  });
});

describe('PROXBOX_API_URL unset', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await spawnGateway({ LOGIN_REQUIRED: 'false' });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  test('starts and logs a warning', () => {
    const warnings = gateway.stdoutLines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((entry) => entry.level === 40);

    expect(warnings.map((entry) => entry.msg)).toContain('PROXBOX_API_URL is not set: every HA request returns 503 until it is set.');
    expect(gateway.stderrLines).toEqual([]);
  });

  test.each([
    ['summary', SUMMARY_ROUTE],
    ['per-VM', vmRoute(101)],
  ])('%s route answers 503 not configured', async (_route, path) => {
    const answer = await call(`${gateway.url}${path}`);

    expect(answer.status).toBe(503);
    expect(answer.text).toBe(failureBody('backend_not_configured'));
  });
});

describe('valid configuration', () => {
  let backend: ProxboxApiSimulator;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator();
  });

  afterAll(async () => {
    await backend.close();
  });

  test('spelled-out booleans and empty values start', async () => {
    const gateway = await spawnGateway({ PROXBOX_API_URL: backend.url, LOGIN_REQUIRED: 'Off', PROXBOX_API_VERIFY_TLS: 'yes', PROXBOX_API_CA_FILE: '' });
    try {
      const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

      expect(answer.status).toBe(200);
      expect(gateway.stderrLines).toEqual([]);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });
});
