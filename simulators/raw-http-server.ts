import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** The head of one request as it arrived on the wire. */
export interface RawRequestHead {
  method: string;
  /** Path with query string, as sent. */
  url: string;
  /** Header names in lower case. Repeated headers are joined with ", ". */
  headers: Record<string, string>;
}

/**
 * The behaviour of the server on one connection once the request head has
 * arrived. It may write anything, stall, or destroy the socket, because the
 * server never writes a response on its own.
 */
export type ConnectionScript = (socket: Socket, head: RawRequestHead) => void;

export interface RawHttpServer {
  url: string;
  port: number;
  /** Every request head received, in order. */
  heads: RawRequestHead[];
  /** Replaces the script applied to connections from now on. */
  setScript(script: ConnectionScript): void;
  /** Resolves once every connection accepted so far has closed. */
  allConnectionsClosed(): Promise<void>;
  close(): Promise<void>;
}

const MAX_HEAD_BYTES = 64 * 1024;

function parseHead(text: string): RawRequestHead {
  const [requestLine, ...headerLines] = text.split('\r\n');
  const [method = '', url = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { method, url, headers };
}

/**
 * Writes a complete HTTP/1.1 response with Content-Length and
 * `Connection: close`, then ends the socket, so no connection is reused.
 */
export function writeResponse(socket: Socket, status: number, headers: Record<string, string>, body: string | Buffer = ''): void {
  const bytes = Buffer.from(body);
  const lines = [`HTTP/1.1 ${status} Status`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  lines.push(`Content-Length: ${bytes.length}`, 'Connection: close', '', '');
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), bytes]));
}

/** Writes a status line and headers only, leaving the body to the script. */
export function writeHead(socket: Socket, status: number, headers: Record<string, string | number>): void {
  const lines = [`HTTP/1.1 ${status} Status`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), 'Connection: close', '', ''];
  socket.write(lines.join('\r\n'), 'latin1');
}

/**
 * Starts an HTTP server on 127.0.0.1 built on a bare TCP server, for the
 * misbehaviours `node:http` will not produce: stalls after the headers,
 * byte-by-byte bodies, thousands of headers, bytes that are not HTTP.
 * It reads one request head per connection and hands the socket to the
 * current script.
 */
export async function startRawHttpServer(script: ConnectionScript): Promise<RawHttpServer> {
  const heads: RawRequestHead[] = [];
  const sockets = new Set<Socket>();
  let current = script;

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Writing to a socket the peer has closed fails. Some tests provoke exactly that, so it must not crash the server.
    socket.on('error', () => undefined);

    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) {
        if (received.length > MAX_HEAD_BYTES) socket.destroy();
        return;
      }
      socket.off('data', onData);
      const head = parseHead(received.subarray(0, end).toString('latin1'));
      heads.push(head);
      current(socket, head);
    };
    socket.on('data', onData);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    heads,
    setScript(next) {
      current = next;
    },
    allConnectionsClosed() {
      const open = [...sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
      return Promise.all(open).then(() => undefined);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
