import { connect } from 'node:net';

/** Opens a fresh TCP connection to 127.0.0.1:port: "connected", or the error code (such as ECONNREFUSED). */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Polls until a new connection to 127.0.0.1:port is refused, or throws after `timeoutMs`. */
export async function waitForRefusedConnections(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let result = await tryConnect(port);
  while (result !== 'ECONNREFUSED') {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for port ${port} to refuse connections (last result: ${result}).`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    result = await tryConnect(port);
  }
}
