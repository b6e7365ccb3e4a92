import net from 'node:net';
import tls from 'node:tls';
import { Aedes } from 'aedes';
import { MAX_MESSAGE_BYTES } from '../../protocol/messages.js';
import { UserError } from '../../protocol/errors.js';
import { DEFAULT_ENROLL_RATE, type EnrollRateOptions } from './enroll-rate.js';
import { createHooks } from './hooks.js';
import { guardPacketSize } from './packet-size.js';

/** The server's embedded MQTT broker: aedes behind our hooks, on TCP or TLS. */

export interface BrokerOptions {
  /** Interface to listen on; default 127.0.0.1 (agents on other hosts need an explicit one). */
  host?: string;
  /** 0 picks a free port; `RunningBroker.port` says which. */
  port: number;
  /** PEM contents. With `ca`, clients may authenticate with a certificate signed by it. */
  tls?: { cert: string; key: string; ca?: string };
  /** Password for enrollees (username `mig-enroll`): it admits enrollment requests only. */
  enrollmentSecret: string;
  /**
   * sha256 hex of an accepted agent's broker password (username `mig-agent`, client id = agent
   * id); undefined when the id is not accepted. The server passes its registry's lookup.
   */
  agentPasswordHash(agentId: string): string | undefined;
  /** Enrollment connections per source address (default DEFAULT_ENROLL_RATE). */
  enrollRate?: EnrollRateOptions;
  /** Password for the server's own client (username `mig-server`). */
  serverSecret: string;
  log?: (msg: string) => void;
}

export interface RunningBroker {
  port: number;
  /** `mqtt://host:port` or `mqtts://host:port`. */
  url: string;
  close(): Promise<void>;
  clientCount(): number;
  /** Ends the live session of an agent whose credential was withdrawn (rejected after acceptance). */
  disconnectAgent(agentId: string): void;
  /** Publish and subscribe from inside this process (the server's own link, broker/wire/local-link.ts). */
  inProcess: Pick<Aedes, 'publish' | 'subscribe' | 'unsubscribe'>;
}

/** Header room on top of the payload cap: a topic of ours plus the fixed and variable headers. */
const MAX_PACKET_BYTES = MAX_MESSAGE_BYTES + 64 * 1024;
/** Time allowed from TCP accept to CONNECT (aedes default 30 s) and for the TLS handshake. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Probe idle connections so half-open ones from vanished hosts end and their wills fire. */
const TCP_KEEPALIVE_MS = 60_000;

export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
  checkSecrets(opts);
  const log = opts.log ?? (() => {});
  const host = opts.host ?? '127.0.0.1';
  const hooks = createHooks({
    ...opts,
    maxPayloadBytes: MAX_MESSAGE_BYTES,
    enrollRate: opts.enrollRate ?? DEFAULT_ENROLL_RATE,
    log,
  });
  const broker = await Aedes.createBroker({
    ...hooks.options,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // aedes' default (100) queues publishes beyond 100 in flight, and mqemitter then works the
    // queue off by recursion: a connect storm of 1,000 agents each saying its heartbeat
    // overflowed the stack and killed the server. 0 = no queue (each publish is delivered as
    // it arrives); every client's own packets are still handled in order.
    concurrency: 0,
    // Our topics have 4 levels (6 with `$share/<group>/`); anything deeper is refused early.
    maxTopicLevels: 8,
  });
  try {
    hooks.install(broker);
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(resolve));
    throw err;
  }
  broker.on('connectionError', (_client, err) => log(`mqtt: connection error before CONNECT: ${err.message}`));

  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket): void => {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    broker.handle(socket);
    guardPacketSize(socket, MAX_PACKET_BYTES, (reason) => log(`mqtt: connection cut: ${reason}`));
  };
  const server = opts.tls
    ? tls
        .createServer(
          {
            cert: opts.tls.cert,
            key: opts.tls.key,
            ca: opts.tls.ca,
            requestCert: opts.tls.ca !== undefined,
            // Unverified (or absent) client certificates fall back to password authentication.
            rejectUnauthorized: false,
            handshakeTimeout: CONNECT_TIMEOUT_MS,
          },
          onSocket,
        )
        .on('tlsClientError', (err) => log(`mqtt: TLS handshake failed: ${err.message}`))
    : net.createServer({ noDelay: true }, onSocket);
  // Raw sockets, including TLS ones still in their handshake, so close() can end them all.
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const port = await listen(server, opts.port, host).catch(async (err: unknown) => {
    await new Promise<void>((resolve) => broker.close(resolve));
    throw err;
  });
  const scheme = opts.tls ? 'mqtts' : 'mqtt';
  return {
    port,
    url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    clientCount: () => broker.connectedClients,
    disconnectAgent: (agentId) => {
      // aedes keeps connected clients by id; close() ends the socket and publishes the will.
      const clients = (broker as unknown as { clients?: Record<string, { close?: () => void } | undefined> }).clients;
      clients?.[agentId]?.close?.();
    },
    inProcess: broker,
    close: async () => {
      // Stop accepting first, then disconnect the clients, then drop whatever is left
      // (handshakes that never reached aedes) so the server's close can complete.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(resolve));
      for (const socket of sockets) socket.destroy();
      await serverClosed;
    },
  };
}

function checkSecrets(opts: BrokerOptions): void {
  if (opts.enrollmentSecret.length === 0 || opts.serverSecret.length === 0) {
    throw new UserError(
      'CONFIG_INVALID',
      'broker: the enrollment and server secrets must not be empty',
      'generate them with newSecret()',
    );
  }
  // Anyone with the enrollment secret could otherwise log in as the server and command agents.
  if (opts.enrollmentSecret === opts.serverSecret) {
    throw new UserError(
      'CONFIG_INVALID',
      'broker: the enrollment secret and the server secret must differ',
      'generate two with newSecret()',
    );
  }
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string')
        return reject(new Error('broker: no TCP address after listen'));
      resolve(address.port);
    });
  });
}
