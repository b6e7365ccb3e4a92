// Test-only: accepts TCP connections on <host> at each <port> (closing them at once) and prints
// "ready" once every port listens. Plain JS so it starts fast inside `ip netns exec`.
import { createServer } from 'node:net';

const [host, ...ports] = process.argv.slice(2);
await Promise.all(
  ports.map(
    (port) =>
      new Promise((resolve, reject) =>
        createServer((socket) => socket.end())
          .on('error', reject)
          .listen(Number(port), host, resolve),
      ),
  ),
);
process.stdout.write('ready\n');
