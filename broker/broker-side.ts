import { connectExternalBroker, type ExternalBrokerOptions } from './external/external-broker.js';
import type { EnrollRateOptions } from './mqtt/enroll-rate.js';
import { startBroker } from './mqtt/server.js';
import { connectLocalLink } from './wire/local-link.js';
import type { ServerLink, ServerLinkOptions } from './wire/server-link.js';

/**
 * Where agents connect, seen from the server: the embedded aedes broker (default) or a broker
 * run elsewhere (`--broker`, external/). Both give the same link contract (wire/); they differ in
 * who keeps agents' logins: the embedded broker asks the registry at each CONNECT, an external
 * one holds accounts the server writes at enrollment and decision time.
 */
export interface BrokerSide {
  /** What agents are told to connect to (agent.json). */
  url: string;
  connectLink(onMessages: ServerLinkOptions['onMessages']): Promise<ServerLink>;
  /** See EnrollerOptions.provision; absent for the embedded broker, which needs none. */
  provision?: (agentId: string, password: string, state: 'pending' | 'accepted') => Promise<void>;
  /** After an admin's decision, before the agent is told. */
  decided(agentId: string, state: 'accepted' | 'rejected'): Promise<void>;
  /** The agent's credential was withdrawn: end its session (and, externally, its login). */
  withdraw(agentId: string): void;
  close(): Promise<void>;
}

export interface BrokerSideOptions {
  external?: ExternalBrokerOptions;
  mqttHost?: string;
  mqttPort: number;
  tls?: { cert: string; key: string; ca?: string };
  enrollmentSecret: string;
  serverSecret: string;
  serverClientId: string;
  agentPasswordHash: (agentId: string) => string | undefined;
  enrollRate?: EnrollRateOptions;
  log: (msg: string) => void;
}

export async function openBrokerSide(opts: BrokerSideOptions): Promise<BrokerSide> {
  const { log } = opts;
  if (opts.external !== undefined) {
    const ext = await connectExternalBroker(
      opts.external,
      { serverClientId: opts.serverClientId, serverSecret: opts.serverSecret, enrollmentSecret: opts.enrollmentSecret },
      log,
    );
    return {
      url: ext.url,
      connectLink: (onMessages) => ext.connectLink(onMessages),
      provision: (agentId, password, state) => ext.enrolled(agentId, password, state),
      decided: (agentId, state) => ext.decided(agentId, state),
      withdraw: (agentId) =>
        void ext
          .decided(agentId, 'rejected')
          .catch((err: unknown) => log(`broker: disabling ${agentId}'s login failed: ${(err as Error).message}`)),
      close: () => ext.close(),
    };
  }
  const broker = await startBroker({
    host: opts.mqttHost,
    port: opts.mqttPort,
    tls: opts.tls,
    enrollmentSecret: opts.enrollmentSecret,
    serverSecret: opts.serverSecret,
    agentPasswordHash: opts.agentPasswordHash,
    enrollRate: opts.enrollRate,
    log,
  });
  return {
    url: broker.url,
    // The broker runs in this process: the link needs no MQTT connection of its own.
    // (connectServerLink in wire/server-link.ts is the same contract over MQTT, for a broker elsewhere.)
    connectLink: (onMessages) => connectLocalLink({ broker: broker.inProcess, log, onMessages }),
    decided: async () => undefined,
    withdraw: (agentId) => broker.disconnectAgent(agentId),
    close: () => broker.close(),
  };
}
