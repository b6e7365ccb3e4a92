import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { z } from 'zod';
// Alike on purpose (duplicates): the same topic builders broker/mqtt/acl.test.ts imports: Mosquitto's dynamic-security
// ACL must grant exactly the topics the Aedes ACL allows, both built from protocol/topics.ts.
import {
  ALL_ENROLL_REQUESTS,
  ALL_HEARTBEATS,
  ALL_RESULTS,
  commandsTopic,
  enrollRequestTopic,
  enrollStatusTopic,
  heartbeatTopic,
  resultsTopic,
} from '../../protocol/topics.js';

/**
 * The server as an administrator of Mosquitto's dynamic security plugin (Mosquitto ≥ 2.0):
 * commands on `$CONTROL/dynamic-security/v1`, answers on `.../response`, matched by
 * correlationData. What the embedded broker decides per connection (mqtt/acl.ts,
 * mqtt/authenticate.ts), Mosquitto decides from what we write here:
 * - role `mig-server`: the server's topics (given to the admin login the server uses);
 * - client `mig-enroll` (password: the fleet enrollment secret), role `mig-enrollee`: publish
 *   enrollment requests, read enrollment statuses of one concrete id, nothing else;
 * - per accepted agent: client `<agentId>` (client id pinned to `<agentId>`, password: the one
 *   the agent chose in its enrollment request; Mosquitto keeps only its salted PBKDF2-SHA512)
 *   and role `mig-agent-<agentId>`: read its own commands, write its own results and heartbeat.
 * Mosquitto 2.0's dynsec ACLs have no %c/%u substitution (plugins/dynamic-security/acl.c
 * matches topics literally or by wildcard), hence one role per agent.
 */
export const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;
export const SERVER_ROLE = 'mig-server';
export const ENROLLEE_ROLE = 'mig-enrollee';
export const ENROLL_LOGIN = 'mig-enroll';
/** Marks clients and roles this server manages, so it never rewrites an account it did not make. */
const AGENT_TEXTNAME = 'mig agent';
/** Shared-subscription group of every server process of one fleet. */
export const SERVER_SHARE_GROUP = 'mig-servers';

export function agentRole(agentId: string): string {
  return `mig-agent-${agentId}`;
}

type AclType =
  'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern' | 'unsubscribePattern';
interface Acl {
  acltype: AclType;
  topic: string;
  allow: boolean;
  priority?: number;
}
type Command = { command: string } & Record<string, unknown>;

const ResponseSchema = z.object({
  responses: z.array(
    z.object({ command: z.string(), error: z.string().optional(), correlationData: z.string().optional() }).loose(),
  ),
});

const allow = (acltype: AclType, topic: string): Acl => ({ acltype, topic, allow: true });

/** $share/<group>/<filter>: Mosquitto checks the subscription ACL against the whole string. */
export function shared(filter: string): string {
  return `$share/${SERVER_SHARE_GROUP}/${filter}`;
}

export function serverAcls(): Acl[] {
  const reads = [ALL_RESULTS, ALL_HEARTBEATS, ALL_ENROLL_REQUESTS];
  return [
    allow('publishClientSend', commandsTopic('+')),
    allow('publishClientSend', enrollStatusTopic('+')),
    ...reads.flatMap((t) => [
      allow('subscribePattern', t),
      allow('subscribePattern', shared(t)),
      allow('publishClientReceive', t),
    ]),
  ];
}

export function enrolleeAcls(): Acl[] {
  return [
    allow('publishClientSend', enrollRequestTopic('+')),
    // Literal rows are checked before patterns: the wildcard itself is refused, one id is allowed.
    { acltype: 'subscribeLiteral', topic: enrollStatusTopic('+'), allow: false },
    allow('subscribePattern', enrollStatusTopic('+')),
    allow('publishClientReceive', enrollStatusTopic('+')),
  ];
}

export function agentAcls(agentId: string): Acl[] {
  return [
    allow('subscribeLiteral', commandsTopic(agentId)),
    allow('publishClientReceive', commandsTopic(agentId)),
    allow('publishClientSend', resultsTopic(agentId)),
    // The agent's last will (an offline notice) goes here too.
    allow('publishClientSend', heartbeatTopic(agentId)),
  ];
}

/** Errors that mean "already as wanted": commands are sent idempotently. */
const HARMLESS = /already exists/i;

export interface DynsecAdmin {
  /**
   * Deny-by-default access, the server role and this server's own link login (username and
   * client id `serverClientId`, password the server secret: the admin login itself is used for
   * accounts only), the enrollment login. Idempotent; kicks no live login of another server.
   */
  prepare(serverClientId: string, serverSecret: string, enrollmentSecret: string): Promise<void>;
  /** Creates or updates an agent's login with `password`; enabled only when accepted. */
  provisionAgent(agentId: string, password: string, enabled: boolean): Promise<void>;
  /** Enables or disables (and so disconnects) an agent's login. */
  setAgentEnabled(agentId: string, enabled: boolean): Promise<void>;
}

/** Per command, its error, or undefined when it succeeded. */
type Answers = Array<string | undefined>;

/**
 * Commands over `client` (a clean session of its own: the results link must not see these
 * answers). Each call is one message, run by Mosquitto in order and at once (it is single
 * threaded), so an agent's login never exists enabled before its role and state are set.
 * Mind that Mosquitto disconnects a login whose password or roles change (setClientPassword,
 * addClientRole, addRoleACL that adds a row): those are sent only when something changes.
 */
export async function dynsecAdmin(client: MqttClient, timeoutMs = 10_000): Promise<DynsecAdmin> {
  const waiting = new Map<string, { resolve: (answers: Answers) => void; answers: Answers; seen: number }>();
  client.on('message', (topic, payload) => {
    if (topic !== RESPONSE_TOPIC) return;
    let parsed: z.infer<typeof ResponseSchema>;
    try {
      parsed = ResponseSchema.parse(JSON.parse(payload.toString()));
    } catch {
      return;
    }
    for (const r of parsed.responses) {
      const [batch = '', index = ''] = (r.correlationData ?? '').split('.');
      const entry = waiting.get(batch);
      if (entry === undefined) continue;
      entry.answers[Number(index)] = r.error;
      if (++entry.seen >= entry.answers.length) {
        waiting.delete(batch);
        entry.resolve(entry.answers);
      }
    }
  });
  const granted = await client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });
  if (granted.some((g) => g.qos === 128))
    throw new Error(`the broker refused ${RESPONSE_TOPIC} to the admin login: is it a dynamic-security admin?`);

  const send = async (commands: Command[]): Promise<Answers> => {
    const batch = randomBytes(8).toString('hex');
    const body = { commands: commands.map((c, i) => ({ ...c, correlationData: `${batch}.${i}` })) };
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<Answers>((resolve) =>
      waiting.set(batch, { resolve, answers: commands.map(() => undefined), seen: 0 }),
    );
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`dynamic security: no answer within ${timeoutMs} ms (is the plugin loaded?)`)),
        timeoutMs,
      );
    });
    try {
      await client.publishAsync(CONTROL_TOPIC, JSON.stringify(body), { qos: 1 });
      return await Promise.race([answered, timeout]);
    } finally {
      clearTimeout(timer);
      waiting.delete(batch);
    }
  };
  /** Sends, and fails on any error but "already exists". */
  const run = async (commands: Command[]): Promise<Answers> => {
    const answers = await send(commands);
    const errors = answers.flatMap((e, i) =>
      e === undefined || HARMLESS.test(e) ? [] : [`${commands[i]?.command ?? '?'}: ${e}`],
    );
    if (errors.length > 0) throw new Error(`dynamic security refused: ${errors.join('; ')}`);
    return answers;
  };
  /** Creates a login; when it exists already, sets its password (which disconnects it). */
  const login = async (
    create: Command & { username: string; password: string },
    before: Command[] = [],
    after: Command[] = [],
  ): Promise<void> => {
    const answers = await run([...before, create, ...after]);
    if (answers[before.length] !== undefined)
      await run([{ command: 'setClientPassword', username: create.username, password: create.password }, ...after]);
  };

  return {
    prepare: async (serverClientId, serverSecret, enrollmentSecret) => {
      await run([
        // Deny by default, as the embedded broker does (`mosquitto_ctrl dynsec init` lets every
        // client receive whatever it is subscribed to, e.g. through a session it took over).
        {
          command: 'setDefaultACLAccess',
          acls: [
            { acltype: 'publishClientSend', allow: false },
            { acltype: 'publishClientReceive', allow: false },
            { acltype: 'subscribe', allow: false },
            { acltype: 'unsubscribe', allow: true },
          ],
        },
        { command: 'createRole', rolename: SERVER_ROLE, textname: 'mig server', acls: serverAcls() },
        // A role made by an earlier version gets the rows it lacks ("already exists" otherwise).
        ...serverAcls().map((a) => ({ command: 'addRoleACL', rolename: SERVER_ROLE, ...a })),
        { command: 'createRole', rolename: ENROLLEE_ROLE, textname: 'mig enrollment login', acls: enrolleeAcls() },
        ...enrolleeAcls().map((a) => ({ command: 'addRoleACL', rolename: ENROLLEE_ROLE, ...a })),
      ]);
      await login({
        command: 'createClient',
        username: serverClientId,
        clientid: serverClientId,
        password: serverSecret,
        textname: 'mig server link',
        roles: [{ rolename: SERVER_ROLE }],
      });
      await login(
        {
          command: 'createClient',
          username: ENROLL_LOGIN,
          password: enrollmentSecret,
          textname: 'mig enrollment login',
          roles: [{ rolename: ENROLLEE_ROLE }],
        },
        [],
        [{ command: 'enableClient', username: ENROLL_LOGIN }],
      );
    },
    provisionAgent: (agentId, password, enabled) =>
      login(
        {
          command: 'createClient',
          username: agentId,
          clientid: agentId,
          password,
          textname: AGENT_TEXTNAME,
          roles: [{ rolename: agentRole(agentId) }],
        },
        [{ command: 'createRole', rolename: agentRole(agentId), textname: AGENT_TEXTNAME, acls: agentAcls(agentId) }],
        [{ command: enabled ? 'enableClient' : 'disableClient', username: agentId }],
      ),
    setAgentEnabled: async (agentId, enabled) => {
      await run([{ command: enabled ? 'enableClient' : 'disableClient', username: agentId }]);
    },
  };
}
