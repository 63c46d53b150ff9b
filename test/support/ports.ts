import { createServer } from 'node:net';

/**
 * Returns a loopback port that was free a moment ago: the port is bound and
 * released again, so nothing listens there until someone binds it.
 */
export function releasedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('The probe server has no TCP address.'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
