// Bare aedes and its mqtt.js clients, for the benches that measure the broker's own floor
// beside our server (aedes-trickle.ts, aedes-idle.ts): the broker configured as ours is, none
// of our code, its clients in two child processes as the simulated agents are.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import type { Aedes } from 'aedes';

const CLIENT_PROCESSES = 2;

export interface BareAedes {
  broker: Aedes;
  port: number;
  close: () => Promise<void>;
}

/** aedes on a free loopback port, with our broker's concurrency 0 and its default in-memory persistence. */
export async function startBareAedes(): Promise<BareAedes> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({ concurrency: 0 });
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    broker,
    port,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      server.close();
    },
  };
}

/**
 * Forks `script agents PORT FROM COUNT` in two processes, `agents` split between them; `ready`
 * resolves once each has sent a message (all its clients subscribed). Kill the children after.
 */
export function forkClients(
  script: string,
  port: number,
  agents: number,
): { children: ChildProcess[]; ready: Promise<void> } {
  const perChild = agents / CLIENT_PROCESSES;
  const children = Array.from({ length: CLIENT_PROCESSES }, (_, k) =>
    fork(script, ['agents', String(port), String(k * perChild), String(perChild)], { execArgv: ['--import', 'tsx'] }),
  );
  const ready = Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve)))).then(
    () => undefined,
  );
  return { children, ready };
}

/**
 * A floor bench's entry: the same file is the server (run by hand) and each client process
 * (forked by forkClients with `agents PORT FROM COUNT`).
 */
export function runRole(
  clients: (port: number, from: number, count: number) => Promise<void>,
  server: () => Promise<void>,
): Promise<void> {
  const [role, port, from, count] = process.argv.slice(2);
  return role === 'agents' ? clients(Number(port), Number(from), Number(count)) : server();
}
