import { createServer } from 'node:net';

/**
 * A port free right now (bound then released), for servers that must be told their port up front
 * (a restarted `mig server` on the same ports, mosquitto, PostgreSQL).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
