import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { UserError } from '../../protocol/errors.js';
import { connectServerLink, type ServerLink, type ServerLinkOptions } from '../wire/server-link.js';
import { ENROLL_LOGIN, SERVER_SHARE_GROUP, dynsecAdmin, type DynsecAdmin } from './dynsec.js';

/** `mig server --broker URL`: an MQTT broker run by someone else (Mosquitto with dynamic security). */
export interface ExternalBrokerOptions {
  /** mqtt://host:port or mqtts://host:port. */
  url: string;
  /** The server's login: a dynamic-security admin (default `mig-server`). */
  username: string;
  password: string;
  /** For mqtts: the broker's certificate or CA (PEM), pinned; default: the system's CAs. */
  ca?: string;
  /**
   * Several server processes serve this fleet: results and enrollment requests are read through
   * the shared subscription group `mig-servers`, so each is handled by one of them. Needs a
   * store they share (a per-process lowdb store would not know another server's commands) and
   * Mosquitto ≥ 2.0.12 (2.0.11 drops a durable client's $share subscriptions when the broker
   * restarts, so results published before the server resubscribes would reach nobody).
   */
  shared?: boolean;
}

/**
 * The external broker as the server uses it: the results link (server-link.ts, with shared
 * subscriptions so several servers split one fleet's results) and the account keeper
 * (dynsec.ts) that gives each accepted agent its own login and topics.
 */
export interface ExternalBroker {
  url: string;
  connectLink(onMessages: ServerLinkOptions['onMessages']): Promise<ServerLink>;
  /** An enrollment request carried `password` and the registry says `state`: make the login match. */
  enrolled(agentId: string, password: string, state: 'pending' | 'accepted'): Promise<void>;
  /** An admin decided, or withdrew the credential: enable or disable (and disconnect) the login. */
  decided(agentId: string, state: 'accepted' | 'rejected'): Promise<void>;
  close(): Promise<void>;
}

export interface ServerIdentity {
  /** Also the link's login name on the broker. */
  serverClientId: string;
  /** The link login's password (the server secret of secrets.json). */
  serverSecret: string;
  enrollmentSecret: string;
}

export async function connectExternalBroker(
  opts: ExternalBrokerOptions,
  id: ServerIdentity,
  log: (msg: string) => void,
): Promise<ExternalBroker> {
  const { serverClientId } = id;
  // A clean session of its own for the account commands: the results link must not see their answers.
  const adminClient = await connectAdmin(opts.url, {
    ...(opts.ca === undefined ? {} : { ca: opts.ca, checkServerIdentity: () => undefined }),
    protocolVersion: 4,
    clean: true,
    clientId: `${serverClientId}-admin`,
    username: opts.username,
    password: opts.password,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  adminClient.on('error', (err) => log(`broker admin: ${err.message}`));
  let admin: DynsecAdmin;
  try {
    admin = await dynsecAdmin(adminClient);
    await admin.prepare(serverClientId, id.serverSecret, id.enrollmentSecret);
  } catch (err) {
    await adminClient.endAsync(true);
    throw new UserError(
      'CONFIG_INVALID',
      `--broker ${opts.url}: ${(err as Error).message}`,
      'the broker needs the dynamic security plugin and --broker-user must be its admin (see deploy/mosquitto/README.md)',
    );
  }
  const reserved = new Set([opts.username, ENROLL_LOGIN, 'mig-agent', 'mig-server', 'admin']);
  const checkId = (agentId: string): void => {
    // An agent's login is named after its id: never let an id name one of ours.
    if (reserved.has(agentId) || agentId.startsWith('mig-'))
      throw new Error(`agent id ${agentId} is reserved on the external broker`);
  };
  return {
    url: opts.url,
    // The link logs in as itself (least privilege: the server role), not as the admin.
    connectLink: (onMessages) =>
      connectServerLink({
        url: opts.url,
        clientId: serverClientId,
        username: serverClientId,
        serverSecret: id.serverSecret,
        ...(opts.shared === true ? { shareGroup: SERVER_SHARE_GROUP } : {}),
        ...(opts.ca === undefined ? {} : { pinnedCa: opts.ca }),
        log,
        onMessages,
      }),
    enrolled: async (agentId, password, state) => {
      checkId(agentId);
      await admin.provisionAgent(agentId, password, state === 'accepted');
    },
    decided: async (agentId, state) => {
      checkId(agentId);
      await admin.setAgentEnabled(agentId, state === 'accepted');
    },
    close: () => adminClient.endAsync(false),
  };
}

function connectAdmin(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(url, options);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(
        new UserError(
          'CONFIG_INVALID',
          `--broker ${url}: ${err.message}`,
          'check --broker-user and --broker-password-file against the broker',
        ),
      );
    });
  });
}
