/**
 * The ceiling for one Node.js hop: a plain node:http server that forwards the
 * summary route to proxbox-api through a keep-alive undici Pool and streams
 * the body back. No framework, no credential check, no body validation.
 * Run as a child process; prints one JSON line with its URL.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const backendUrl = new URL(process.env.BACKEND_URL ?? '');
const apiKey = process.env.BACKEND_API_KEY ?? '';
const pool = new Pool(backendUrl.origin, { connections: 256, pipelining: 1 });
const SUMMARY_ROUTE = /^\/api\/plugins\/proxbox\/ha\/summary\/?$/;

const server = createServer((request, response) => {
  if (!SUMMARY_ROUTE.test(request.url ?? '')) {
    response.writeHead(404).end();
    return;
  }
  pool
    .request({ method: 'GET', path: `${backendUrl.pathname.replace(/\/$/, '')}/proxmox/cluster/ha/summary`, headers: { 'x-proxbox-api-key': apiKey } })
    .then(async (upstream) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const length = upstream.headers['content-length'];
      if (typeof length === 'string') headers['content-length'] = length;
      response.writeHead(upstream.statusCode, headers);
      await pipeline(upstream.body, response);
    })
    .catch(() => {
      if (!response.headersSent) response.writeHead(502);
      response.destroy();
    });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
