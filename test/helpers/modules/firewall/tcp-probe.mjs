// Test-only: tries one TCP connection to <host> <port> and prints what happened: open (it
// connected), refused (RST: nothing listens), blocked (dropped: no answer within <timeoutMs>, or
// EPERM when our own OUTPUT chain dropped the SYN).
import { connect } from 'node:net';

const [host, port, timeoutMs = '1500'] = process.argv.slice(2);
const socket = connect({ host, port: Number(port) });
const done = (what) => {
  process.stdout.write(`${what}\n`);
  socket.destroy();
  process.exit(0);
};
socket.setTimeout(Number(timeoutMs), () => done('blocked'));
socket.on('connect', () => done('open'));
socket.on('error', (err) =>
  done(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'EPERM' ? 'blocked' : `error ${err.code}`),
);
