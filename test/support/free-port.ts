import { createServer } from 'node:net';

/**
 * A free loopback port, found by binding port 0 and letting it go. Another process may take it
 * before the caller binds it, so callers that start a server retry on a clash.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
