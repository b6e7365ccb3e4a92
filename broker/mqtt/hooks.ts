import { TLSSocket } from 'node:tls';
import type { Aedes, AedesOptions, AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes';
import { BugError } from '../../protocol/errors.js';
import { checkTopic, type Principal } from './acl.js';
import { CONNACK, authenticateClient, type Secrets } from './authenticate.js';
import { ENROLL_USERNAME } from './credentials.js';
import { EnrollRateLimiter, type EnrollRateOptions } from './enroll-rate.js';
import { ENROLL_LIMITS } from '../../protocol/enrollment.js';

/**
 * The only file that touches aedes callbacks. aedes allows everything by default; every hook
 * is overridden here and refuses unless acl.ts or authenticate.ts says yes.
 *
 * How each refusal looks to the client:
 * - CONNECT: a CONNACK with code 2 (identifier rejected), 4 (bad username or password) or
 *   5 (not authorized, also for a will the client may not publish), then the socket closes.
 * - SUBSCRIBE: granted QoS 128 (failure) in the SUBACK; the client stays connected.
 * - PUBLISH: the connection is closed, because MQTT 3.1.1 has no way to refuse one publish
 *   [MQTT-3.3.5-2]. That is what we want for an agent publishing a command or posing as
 *   another agent. Its will (if any) is then published, so the server sees it "lost".
 */

export interface HookOptions extends Secrets {
  /** Largest payload accepted in a PUBLISH or a will. */
  maxPayloadBytes: number;
  /** Enrollment connections per source address. */
  enrollRate: EnrollRateOptions;
  log: (msg: string) => void;
}

export interface BrokerHooks {
  /** Spread into `Aedes.createBroker` options. */
  options: Required<
    Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>
  >;
  /** Call once on the created broker: guards what its session store keeps. */
  install(broker: Aedes): void;
}

/** The part of aedes' (untyped) persistence we wrap. */
interface SubscriptionStore {
  addSubscriptions(client: Client, subs: Subscription[], ...rest: unknown[]): unknown;
}

type Will = NonNullable<ConnectPacket['will']>;
/** What a PUBLISH and a will have in common. */
type Publishable = Pick<PublishPacket, 'topic' | 'payload'> & { qos?: number };

export function createHooks(opts: HookOptions): BrokerHooks {
  const { log } = opts;
  /** Set once authenticate accepts a client; a client missing here is refused everything. */
  const principals = new WeakMap<Client, Principal>();
  /** The will from CONNECT: only preConnect sees the packet, authenticate checks it. */
  const wills = new WeakMap<Client, Will>();
  const enrollRate = new EnrollRateLimiter(opts.enrollRate);

  const publishProblem = (principal: Principal, packet: Publishable): string | undefined => {
    if (packet.qos === 2) return 'QoS 2 is not used (QoS 1 everywhere)';
    const size = typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length;
    // An enrollee holds nothing but the fleet secret: its one request is small, or it is hostile.
    const limit = principal.role === 'enrollee' ? ENROLL_LIMITS.maxRequestBytes : opts.maxPayloadBytes;
    if (size > limit) return `payload of ${size} bytes, the limit is ${limit}`;
    const decision = checkTopic(principal, 'publish', packet.topic);
    return decision.allow ? undefined : `${quote(packet.topic)}: ${decision.reason}`;
  };

  const mayReceive = (client: Client, topic: string): boolean => {
    const principal = principals.get(client);
    return principal !== undefined && checkTopic(principal, 'subscribe', topic).allow;
  };

  const options: BrokerHooks['options'] = {
    preConnect(client, packet, callback) {
      if (packet.will) wills.set(client, packet.will);
      callback(null, true);
    },

    authenticate(client, username, password, done) {
      if (username === ENROLL_USERNAME) {
        const address = remoteAddress(client.conn);
        const taken = enrollRate.take(address);
        if (!taken.ok) {
          if (taken.shouldLog)
            log(
              `mqtt: refused enrollment connection from ${address} (code 3): rate limit, ${taken.refused} refused so far`,
            );
          return done(
            authError(CONNACK.SERVER_UNAVAILABLE, 'too many enrollment attempts from this address; retry later'),
            false,
          );
        }
      }
      const result = authenticateClient(
        { clientId: client.id, username, password, verifiedCertCn: verifiedCertCn(client.conn) },
        opts,
      );
      if (!result.ok) {
        log(`mqtt: refused connection of ${quote(client.id)} (code ${result.returnCode}): ${result.reason}`);
        return done(authError(result.returnCode, result.reason), false);
      }
      const will = wills.get(client);
      wills.delete(client);
      const willProblem =
        will === undefined
          ? undefined
          : result.principal.role === 'enrollee'
            ? 'enrollees leave no will'
            : publishProblem(result.principal, will);
      if (willProblem) {
        log(`mqtt: refused connection of ${quote(client.id)} (code 5): will ${willProblem}`);
        return done(authError(CONNACK.NOT_AUTHORIZED, `will refused: ${willProblem}`), false);
      }
      principals.set(client, result.principal);
      done(null, true);
    },

    authorizePublish(client, packet, callback) {
      // client is null only for wills left by another broker in a shared persistence; we keep
      // sessions in memory, so there is no such will to vouch for.
      const principal = client ? principals.get(client) : undefined;
      const problem = principal ? publishProblem(principal, packet) : 'unauthenticated publisher';
      if (problem) {
        log(`mqtt: refused publish by ${quote(client?.id ?? '(no client)')}, disconnecting: ${problem}`);
        return callback(new Error(problem));
      }
      // No retained messages: the broker's memory per agent must stay bounded, and a late
      // subscriber must never mistake a stale message for a fresh one.
      packet.retain = false;
      callback(null);
    },

    authorizeSubscribe(client, sub, callback) {
      const principal = principals.get(client);
      const decision = principal ? checkTopic(principal, 'subscribe', sub.topic) : undefined;
      if (!decision?.allow) {
        log(
          `mqtt: refused subscription of ${quote(client.id)} to ${quote(sub.topic)}: ${decision?.reason ?? 'unauthenticated'}`,
        );
        return callback(null, null);
      }
      // aedes 1 has no shared subscriptions (moscajs/aedes#228): it would keep `$share/g/f` as
      // a literal filter that matches nothing. Registering the inner filter makes the same
      // server code work here; with one embedded broker there is one server to share with.
      // QoS is capped at 1 (aedes still echoes the requested QoS in the SUBACK).
      callback(null, { ...sub, topic: decision.filter, qos: sub.qos === 2 ? 1 : sub.qos });
    },

    authorizeForward(client, packet) {
      // Defence in depth: deliver only what this client could have subscribed to by name.
      if (mayReceive(client, packet.topic)) return packet;
      log(`mqtt: dropped delivery of ${quote(packet.topic)} to ${quote(client.id)}`);
      return null;
    },
  };

  return { options, install: (broker) => guardStoredSubscriptions(broker, mayReceive) };
}

/**
 * For a persistent session, aedes stores *every* filter of a SUBSCRIBE packet as soon as one
 * of them is granted (lib/handlers/subscribe.js, storeSubscriptions), refused ones included.
 * A stored QoS 1 filter makes the broker queue each matching message for that client, online
 * or not: an agent subscribing to [its commands, '#'] would pile up every message in memory.
 * So the store only ever sees the filters the ACL allows. There is no hook for this; the
 * method is wrapped on the instance, and startup fails loudly if aedes changes its shape.
 */
function guardStoredSubscriptions(broker: Aedes, mayReceive: (client: Client, topic: string) => boolean): void {
  const store = (broker as unknown as { persistence?: Partial<SubscriptionStore> }).persistence;
  const original = store?.addSubscriptions;
  if (!store || typeof original !== 'function') {
    throw new BugError('aedes persistence has no addSubscriptions(): this aedes version is not supported');
  }
  store.addSubscriptions = (client, subs, ...rest) =>
    original.call(
      store,
      client,
      subs.filter((sub) => mayReceive(client, sub.topic)),
      ...rest,
    );
}

/** CN of a client certificate that verified against our CA, if the connection has one. */
function verifiedCertCn(conn: Client['conn']): string | undefined {
  if (!(conn instanceof TLSSocket) || !conn.authorized) return undefined;
  const cn: unknown = conn.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

function authError(returnCode: AuthenticateError['returnCode'], message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

/** The peer's address (TLS sockets included); 'unknown' for a stream that has none. */
function remoteAddress(conn: Client['conn']): string {
  const address = (conn as { remoteAddress?: unknown }).remoteAddress;
  return typeof address === 'string' ? address : 'unknown';
}

/** Client ids and topics are attacker-controlled: quote and cut them before logging. */
function quote(s: string): string {
  return JSON.stringify(s.length > 96 ? `${s.slice(0, 96)}…` : s);
}
