import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startRawHttpServer, writeHead, writeResponse, type ConnectionScript, type RawHttpServer } from '../simulators/raw-http-server.js';
import { sampleVmResource } from '../simulators/sample-ha-data.js';
import { call, startGateway, SUMMARY_ROUTE, vmRoute, type Answer, type RunningGateway } from './support/gateway.js';

// Short deadlines make stalls quick to observe. No request may take longer than the deadline plus one second.
const DEADLINE_MS = 500;
const MAX_BODY_BYTES = 64 * 1024;
const API_KEY = 'backend-faults-api-key';

let backend: RawHttpServer;
let gateway: RunningGateway;
let origin: string;

const answerNormally: ConnectionScript = (socket) => writeResponse(socket, 200, { 'Content-Type': 'application/json' }, sampleVmResource(101));

beforeAll(async () => {
  backend = await startRawHttpServer(answerNormally);
  origin = backend.url;
  gateway = await startGateway({
    PROXBOX_API_URL: backend.url,
    PROXBOX_API_KEY: API_KEY,
    LOGIN_REQUIRED: 'false',
    HA_VM_TIMEOUT_MS: String(DEADLINE_MS),
    HA_SUMMARY_TIMEOUT_MS: String(DEADLINE_MS),
    BACKEND_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
  });
});

afterAll(async () => {
  await gateway.close();
  await backend.close();
});

beforeEach(() => {
  backend.setScript(answerNormally);
  backend.heads.length = 0;
});

/** Calls an HA route and measures how long the whole response took. */
async function timedCall(path = vmRoute(101)): Promise<Answer & { elapsedMs: number }> {
  const started = performance.now();
  const answer = await call(`${gateway.url}${path}`);
  return { ...answer, elapsedMs: performance.now() - started };
}

/** Switches the backend back to normal and checks that the gateway serves the next request. */
async function expectGatewayRecovers(): Promise<void> {
  backend.setScript(answerNormally);
  const answer = await call(`${gateway.url}${vmRoute(101)}`);
  expect(answer.status).toBe(200);
  expect(answer.text).toBe(sampleVmResource(101));
}

const timeoutBody = (variable = 'HA_VM_TIMEOUT_MS') => ({
  detail: `proxbox-api at ${origin} did not answer within the 0.5 s limit (${variable}).`,
  code: 'backend_timeout',
});

describe('backend that stalls', () => {
  test('never answering times out at the deadline', async () => {
    backend.setScript(() => undefined);

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual(timeoutBody());
    expect(answer.elapsedMs).toBeLessThan(DEADLINE_MS + 1000);
    await backend.allConnectionsClosed();
    await expectGatewayRecovers();
  });

  test('stalled summary names its own limit', async () => {
    backend.setScript(() => undefined);

    const answer = await timedCall(SUMMARY_ROUTE);

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual(timeoutBody('HA_SUMMARY_TIMEOUT_MS'));
    expect(answer.elapsedMs).toBeLessThan(DEADLINE_MS + 1000);
    await expectGatewayRecovers();
  });

  test('headers then silence times out', async () => {
    backend.setScript((socket) => {
      writeHead(socket, 200, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
      socket.write('{"sid":');
    });

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual(timeoutBody());
    expect(answer.elapsedMs).toBeLessThan(DEADLINE_MS + 1000);
    // The gateway aborts the upstream request, so the stalled connection does not linger.
    await backend.allConnectionsClosed();
    await expectGatewayRecovers();
  });

  test('one byte a second times out and is cut off', async () => {
    const body = sampleVmResource(101);
    let bytesSent = 0;
    let upstreamClosed = false;
    backend.setScript((socket) => {
      writeHead(socket, 200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      const timer = setInterval(() => {
        if (bytesSent === body.length || socket.destroyed) return clearInterval(timer);
        socket.write(body[bytesSent]);
        bytesSent += 1;
      }, 1000);
      socket.once('close', () => {
        upstreamClosed = true;
        clearInterval(timer);
      });
    });

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual(timeoutBody());
    expect(answer.elapsedMs).toBeLessThan(DEADLINE_MS + 1000);
    await backend.allConnectionsClosed();
    expect(upstreamClosed).toBe(true);
    expect(bytesSent).toBeLessThan(body.length);
    await expectGatewayRecovers();
  });
});

describe('backend that breaks the body', () => {
  test('close mid-body with Content-Length is a reset', async () => {
    const body = sampleVmResource(101);
    backend.setScript((socket) => {
      writeHead(socket, 200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      socket.end(body.slice(0, 40));
    });

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toMatchObject({ code: 'backend_reset' });
    expect(JSON.parse(answer.text).detail).toMatch(new RegExp(`^proxbox-api at ${origin} closed the connection before the response was complete \\(`));
    await expectGatewayRecovers();
  });

  test('close mid-body while chunked is a reset', async () => {
    backend.setScript((socket) => {
      writeHead(socket, 200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      // A complete JSON document in the first chunk, but never the last chunk: the body did not end.
      socket.end('2\r\n{}\r\n');
    });

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toMatchObject({ code: 'backend_reset' });
    await expectGatewayRecovers();
  });

  test('invalid UTF-8 is refused, never forwarded', async () => {
    const body = Buffer.concat([Buffer.from('{"sid":"vm:101","comment":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    backend.setScript((socket) => writeResponse(socket, 200, { 'Content-Type': 'application/json' }, body));

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual({
      detail: 'proxbox-api answered HTTP 200 with a body that is not JSON. Check that PROXBOX_API_URL points at proxbox-api itself.',
      code: 'backend_invalid_body',
    });
    expect(answer.bytes.includes(Buffer.from([0xff]))).toBe(false);
    expect(answer.text).not.toContain('vm:101');
    await expectGatewayRecovers();
  });

  test('bytes that are not HTTP answer 502', async () => {
    backend.setScript((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\u0000\u0001garbage\r\n\r\n'));

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `proxbox-api at ${origin} sent a response that is not valid HTTP (HPE_INVALID_CONSTANT). Check that PROXBOX_API_URL points at proxbox-api itself.`,
      code: 'backend_malformed_response',
    });
    await expectGatewayRecovers();
  });
});

describe('backend that sends gzip', () => {
  test('gzip body is decoded and forwarded', async () => {
    const body = sampleVmResource(101);
    backend.setScript((socket) =>
      writeResponse(socket, 200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, gzipSync(body)),
    );

    const answer = await timedCall();

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(body);
    expect(answer.headers.get('content-encoding')).toBeNull();
    // The gateway requests an unencoded body, so gzip arrives only from a backend that ignores Accept-Encoding.
    expect(backend.heads[0].headers['accept-encoding']).toBe('identity');
    await expectGatewayRecovers();
  });

  test('gzip over the limit once decoded is refused', async () => {
    // About 10 KB on the wire, 10 MB decoded: the limit applies to the decoded bytes.
    const bomb = gzipSync(`{"padding":"${' '.repeat(10 * 1024 * 1024)}"}`);
    expect(bomb.length).toBeLessThan(MAX_BODY_BYTES);
    backend.setScript((socket) => writeResponse(socket, 200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, bomb));

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `proxbox-api sent a response larger than ${MAX_BODY_BYTES} bytes (BACKEND_MAX_BODY_BYTES). Raise the limit if the cluster is that large.`,
      code: 'backend_body_too_large',
    });
    await expectGatewayRecovers();
  });

  test('undecodable gzip is an invalid body', async () => {
    backend.setScript((socket) =>
      writeResponse(socket, 200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, Buffer.from('{"not":"gzip at all"}')),
    );

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual({
      detail:
        'proxbox-api answered HTTP 200 with a body that is not JSON (its Content-Encoding does not decode). Check that PROXBOX_API_URL points at proxbox-api itself.',
      code: 'backend_invalid_body',
    });
    await expectGatewayRecovers();
  });
});

describe('backend body over the size limit', () => {
  test('closes the connection without reading the rest', async () => {
    const announcedBytes = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let bytesWritten = 0;
    let writeFailed = false;
    const finished = new Promise<void>((resolve) => {
      backend.setScript((socket) => {
        writeHead(socket, 200, { 'Content-Type': 'application/json', 'Content-Length': announcedBytes });
        socket.write('[');
        const pump = () => {
          while (bytesWritten < announcedBytes && !socket.destroyed) {
            bytesWritten += chunk.length;
            if (!socket.write(chunk)) return socket.once('drain', pump);
          }
          resolve();
        };
        socket.once('error', () => {
          writeFailed = true;
        });
        socket.once('close', () => resolve());
        pump();
      });
    });

    const answer = await timedCall();
    await finished;

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text).code).toBe('backend_body_too_large');
    // The socket closed long before the 64 MB were written; loopback buffers hold a few MB at most.
    expect(bytesWritten).toBeLessThan(announcedBytes / 4);
    await backend.allConnectionsClosed();
    expect(writeFailed || bytesWritten < announcedBytes).toBe(true);
    await expectGatewayRecovers();
  });
});

describe('backend headers', () => {
  test('1,000 short headers are tolerated', async () => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    for (let index = 0; index < 1000; index += 1) headers[`x-h${index}`] = '1';
    backend.setScript((socket) => writeResponse(socket, 200, headers, sampleVmResource(101)));

    const answer = await timedCall();

    expect(answer.status).toBe(200);
    expect(answer.text).toBe(sampleVmResource(101));
    expect(answer.headers.get('x-h1')).toBeNull();
    await expectGatewayRecovers();
  });

  test('1,000 headers over 16 KB answer 502', async () => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    for (let index = 0; index < 1000; index += 1) headers[`x-filler-${index}`] = 'f'.repeat(40);
    backend.setScript((socket) => writeResponse(socket, 200, headers, sampleVmResource(101)));

    const answer = await timedCall();

    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual({
      detail: `proxbox-api at ${origin} sent a response that is not valid HTTP (HPE_HEADER_OVERFLOW). Check that PROXBOX_API_URL points at proxbox-api itself.`,
      code: 'backend_malformed_response',
    });
    await expectGatewayRecovers();
  });
});

describe('backend redirect to another host', () => {
  test('second host receives nothing', async () => {
    const elsewhere = await startRawHttpServer(answerNormally);
    try {
      backend.setScript((socket) => writeResponse(socket, 307, { Location: `${elsewhere.url}/proxmox/cluster/ha/resources/by-vm/101?key=x` }));

      const answer = await timedCall();

      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.text)).toEqual({
        detail: `proxbox-api answered with a redirect (HTTP 307 to ${elsewhere.url}/proxmox/cluster/ha/resources/by-vm/101), which the gateway does not follow. Set PROXBOX_API_URL to the final address.`,
        code: 'backend_redirect',
      });
      expect(backend.heads).toHaveLength(1);
      expect(backend.heads[0].headers['x-proxbox-api-key']).toBe(API_KEY);
      expect(elsewhere.heads).toHaveLength(0);
      await expectGatewayRecovers();
    } finally {
      await elsewhere.close();
    }
  });
});
