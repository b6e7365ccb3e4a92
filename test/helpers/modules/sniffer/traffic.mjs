// Test-only: sends traffic carrying <payload>, then prints "sent". Plain JS so it starts fast
// inside `ip netns exec`.
//   udp <host> <port> <count> <payload>   count datagrams, one after the other
//   tcp <host> <port> <payload>           one connection that writes payload and closes
//   listen-tcp <host> <port>              accepts connections and reads them; prints "ready"
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';

const [mode, host, port, ...rest] = process.argv.slice(2);
if (mode === 'udp') {
  const [count, payload] = rest;
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  for (let i = 0; i < Number(count); i++)
    await new Promise((resolve, reject) =>
      socket.send(Buffer.from(payload), Number(port), host, (err) => (err ? reject(err) : resolve())),
    );
  socket.close();
  process.stdout.write('sent\n');
} else if (mode === 'tcp') {
  const [payload] = rest;
  await new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => socket.end(Buffer.from(payload)));
    socket.on('error', reject);
    socket.on('close', resolve);
    socket.resume();
  });
  process.stdout.write('sent\n');
} else if (mode === 'listen-tcp') {
  createServer((socket) => socket.resume().on('end', () => socket.end())).listen(Number(port), host, () =>
    process.stdout.write('ready\n'),
  );
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
