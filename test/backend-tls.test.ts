import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startProxboxApiSimulator, type ProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { failureBody } from './support/failure-body.js';
import { call, startGateway, SUMMARY_ROUTE, vmRoute, type RunningGateway } from './support/gateway.js';
import { startNginx, type RunningNginx } from './support/nginx.js';
import { TEST_CERTIFICATE_FILE, TEST_KEY_FILE, testCertificate } from './support/tls-fixtures.js';

describe('backend with a self-signed certificate', () => {
  let backend: ProxboxApiSimulator;

  beforeAll(async () => {
    backend = await startProxboxApiSimulator({ tls: testCertificate() });
  });

  afterAll(async () => {
    await backend.close();
  });

  async function summaryThrough(env: Record<string, string>) {
    const gateway = await startGateway({ PROXBOX_API_URL: backend.url, LOGIN_REQUIRED: 'false', ...env });
    try {
      return await call(`${gateway.url}${SUMMARY_ROUTE}`);
    } finally {
      await gateway.close();
    }
  }

  test('untrusted certificate is 502 with remedies', async () => {
    const answer = await summaryThrough({});

    expect(answer.status).toBe(502);
    expect(answer.text).toBe(failureBody('backend_tls_untrusted', { origin: backend.url, errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
    const { detail } = JSON.parse(answer.text) as { detail: string };
    expect(detail).toContain('PROXBOX_API_CA_FILE');
    expect(detail).toContain('PROXBOX_API_VERIFY_TLS=false');
  });

  test('CA file trusts the certificate', async () => {
    const answer = await summaryThrough({ PROXBOX_API_CA_FILE: TEST_CERTIFICATE_FILE });

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toHaveProperty('resources');
  });

  test('verification off accepts the certificate', async () => {
    const answer = await summaryThrough({ PROXBOX_API_VERIFY_TLS: 'false' });

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toHaveProperty('resources');
  });
});

describe('scheme mismatch', () => {
  test('https URL on plain-HTTP port says http://', async () => {
    const backend = await startProxboxApiSimulator();
    const origin = `https://127.0.0.1:${backend.port}`;
    const gateway = await startGateway({ PROXBOX_API_URL: origin, LOGIN_REQUIRED: 'false' });
    try {
      const answer = await call(`${gateway.url}${vmRoute(101)}`);

      expect(answer.status).toBe(502);
      expect(answer.text).toBe(failureBody('backend_speaks_http', { origin, errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' }));
      expect(JSON.parse(answer.text).detail).toContain('Use http:// in PROXBOX_API_URL.');
      expect(backend.requests).toHaveLength(0);
    } finally {
      await gateway.close();
      await backend.close();
    }
  });

  describe('plain HTTP to nginx serving HTTPS', () => {
    let backend: ProxboxApiSimulator;
    let nginx: RunningNginx;
    let gateway: RunningGateway;

    beforeAll(async () => {
      backend = await startProxboxApiSimulator();
      nginx = await startNginx({
        tls: { certificateFile: TEST_CERTIFICATE_FILE, keyFile: TEST_KEY_FILE },
        directives: `location / { proxy_pass http://127.0.0.1:${backend.port}; }`,
      });
      gateway = await startGateway({ PROXBOX_API_URL: `http://127.0.0.1:${nginx.port}`, LOGIN_REQUIRED: 'false' });
    });

    afterAll(async () => {
      await gateway?.close();
      await nginx?.stop();
      await backend?.close();
    });

    test('nginx over HTTPS works with https://', async () => {
      const direct = await startGateway({ PROXBOX_API_URL: nginx.url, PROXBOX_API_CA_FILE: TEST_CERTIFICATE_FILE, LOGIN_REQUIRED: 'false' });
      try {
        const answer = await call(`${direct.url}${SUMMARY_ROUTE}`);

        expect(answer.status).toBe(200);
        expect(backend.requests.map((request) => request.url)).toEqual(['/proxmox/cluster/ha/summary']);
      } finally {
        await direct.close();
      }
    });

    test('plain HTTP to HTTPS port says https://', async () => {
      const answer = await call(`${gateway.url}${SUMMARY_ROUTE}`);

      expect(answer.status).toBe(502);
      expect(answer.text).toBe(failureBody('backend_expects_https', { origin: `http://127.0.0.1:${nginx.port}` }));
      expect(JSON.parse(answer.text).detail).toContain('Use https:// in PROXBOX_API_URL.');
    });
  });
});
