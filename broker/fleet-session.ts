import mqtt from 'mqtt';

/** The external broker's admin login (`--broker`, `--broker-user`): it may log in under any client id. */
export interface BrokerAdminLogin {
  url: string;
  username: string;
  password: string;
  /** For mqtts: the broker's certificate or CA (PEM), pinned. */
  ca?: string;
}

/**
 * Ends a dead server's durable session on the external broker: a clean connect under its client
 * id, then a disconnect. Mosquitto keeps handing an offline durable member of a `$share` group
 * its share of the results; those would wait for a server that may never return. What the session
 * held is dropped with it: the caller then sends every unanswered command again (fleet-sync.ts),
 * and agents answer again from their journal. If the server comes back, it subscribes again on
 * connect (wire/server-link.ts).
 */
export async function forgetBrokerSession(login: BrokerAdminLogin, serverClientId: string): Promise<void> {
  const client = await mqtt.connectAsync(login.url, {
    protocolVersion: 4,
    clean: true,
    clientId: serverClientId,
    username: login.username,
    password: login.password,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(login.ca === undefined ? {} : { ca: login.ca, checkServerIdentity: () => undefined }),
  });
  await client.endAsync();
}
