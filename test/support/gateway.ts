import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { createGatewayApp } from '../../src/gateway-app.js';
import { createLogger } from '../../src/logging/logger.js';

export interface RunningGateway {
  url: string;
  app: NestFastifyApplication;
  /** Every log line the gateway wrote, as raw JSON text. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * Starts the gateway in this process on 127.0.0.1 with a random port,
 * configured from `env` alone (the process environment is ignored), with
 * its logs captured. Swagger is left out: it needs plain Node, not Jest.
 */
export async function startGateway(env: Record<string, string | undefined>): Promise<RunningGateway> {
  const config = loadGatewayConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'debug', ...env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      callback();
    },
  });

  const app = await createGatewayApp(config, { logger: createLogger(config.logLevel, sink), openApi: false, version: 'test' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { url, app, logs, close: () => app.close() };
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The body's exact bytes. */
  bytes: Buffer;
  text: string;
}

/** Sends one request and reads the whole response. */
export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, text: bytes.toString('utf8') };
}

export const SUMMARY_ROUTE = '/api/plugins/proxbox/ha/summary/';
export const vmRoute = (vmid: string | number) => `/api/plugins/proxbox/ha/vm/${vmid}/`;

/**
 * Sends a GET with the path exactly as given. fetch() would normalize
 * `%2e%2e` and similar before sending, which hides what a raw client sends.
 */
export function rawCall(url: string, path: string, headers: OutgoingHttpHeaders = {}): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, path, method: 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        resolve({ status: response.statusCode ?? 0, headers: responseHeaders, bytes, text: bytes.toString('utf8') });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}
