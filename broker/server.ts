import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLog } from './audit/audit-log.js';
import { agentConfigPath, writeAgentConfig } from './agent-config.js';
import { Investigators } from './auth/investigators.js';
import { NonceCache } from './auth/nonce-cache.js';
import { systemClock, type Clock } from './clock.js';
import { EventHub } from './events/event-hub.js';
import { forgetBrokerSession } from './fleet-session.js';
import { FleetSync } from './fleet-sync.js';
import { startApiServer } from './http/api-server.js';
import { actionRoutes } from './http/routes/action-routes.js';
import { agentRoutes } from './http/routes/agent-routes.js';
import { enrollmentRoutes } from './http/routes/enrollment-routes.js';
import { DEFAULT_SSE_TIMING, eventRoutes, type SseTiming } from './http/routes/event-routes.js';
import { investigatorRoutes } from './http/routes/investigator-routes.js';
import { iocRoutes } from './http/routes/ioc-routes.js';
import { policyRoutes } from './http/routes/policy-routes.js';
import type { ApiServices } from './http/services.js';
import { openBrokerSide } from './broker-side.js';
import { enroller } from './enrollment/enroller.js';
import type { ExternalBrokerOptions } from './external/external-broker.js';
import type { EnrollRateOptions } from './mqtt/enroll-rate.js';
import { PolicyPusher } from './policy/policy-pusher.js';
import { PolicyService } from './policy/policy-service.js';
import { AgentRegistry } from './registry/registry.js';
import { approvalPolicy, type ApprovalPolicy } from './scheduler/approval.js';
import { Scheduler } from './scheduler/scheduler.js';
import type { AnyModuleSpec } from '../protocol/module-spec.js';
import type { AgentPublisher } from './scheduler/context.js';
import { loadOrCreateSecrets, secretsPath } from './secrets.js';
import { openStore } from './store/open-store.js';
import { serverVersion } from './version.js';
import type { ServerLink } from './wire/server-link.js';
import { dispatcher } from './wire/dispatch.js';

export interface ServerOptions {
  dataDir: string;
  /** postgres:// URL of a store shared by several servers (default: lowdb files in dataDir). */
  storeUrl?: string;
  /** Default 127.0.0.1. */
  httpHost?: string;
  /** 0 picks a free port. */
  httpPort: number;
  /** Default 127.0.0.1. */
  mqttHost?: string;
  mqttPort: number;
  /**
   * An MQTT broker run elsewhere (Mosquitto with dynamic security, deploy/mosquitto/) instead
   * of the embedded one: mqttHost, mqttPort, enrollRate and tls.ca then do not apply.
   */
  broker?: ExternalBrokerOptions;
  /** PEM contents: MQTT over TLS (ca: agents' client certificate CA) and HTTPS with the same certificate. */
  tls?: { cert: string; key: string; ca?: string };
  /** Default: the one in `<dataDir>/secrets.json`, created on first start. */
  enrollmentSecret?: string;
  /** Enrolled as admin when there is no investigator yet. */
  bootstrapAdmin?: { name: string; publicKey: string };
  log?: (msg: string) => void;
  /** Server time (default: the system clock); ignored when `clock` is given. */
  now?: () => Date;
  /** Time and timers for expiry and delayed launches (tests pass a manual clock). */
  clock?: Clock;
  /** Store flush interval (default 200 ms). */
  flushMs?: number;
  /** How often agent statuses are re-evaluated (default 5 s). */
  sweepMs?: number;
  /** Shared (PostgreSQL) store: how often other servers' changes are read (default 2 s; fleet-sync.ts). */
  syncMs?: number;
  /** Shared store: how long this server counts as alive after renewing its lease (default 15 s). */
  leaseMs?: number;
  sseTiming?: SseTiming;
  /**
   * Two-person rule on the server: distinct signers an action needs before it is launched
   * (default 2 when it runs a response module, 1 otherwise). Agents enforce their own ACL anyway.
   */
  approval?: Partial<ApprovalPolicy>;
  /** What actions' parameters are checked against (default: modules/registry.ts). Tests pass their own, as agents take theirs. */
  moduleSpecs?: ReadonlyMap<string, AnyModuleSpec>;
  /** Distinct admin signatures a policy bundle needs (default 1; capped by the number of admins). */
  policyThreshold?: number;
  /** How soon the same policy version is pushed again to an agent that still reports an older one (default 5 s). */
  policyRepushMs?: number;
  /** Accept every valid enrollment at once (default false: an admin accepts pending agents). */
  autoAccept?: boolean;
  /** Pending enrollments kept at most (default 1,000); beyond, new ones are refused. */
  maxPendingEnrollments?: number;
  /** Enrollment connections per source address (default DEFAULT_ENROLL_RATE). */
  enrollRate?: EnrollRateOptions;
}

export const DEFAULT_MAX_PENDING_ENROLLMENTS = 1000;

export interface RunningServer {
  /** Base URL of the API, `/api/v1` included. */
  httpUrl: string;
  mqttUrl: string;
  enrollmentSecret: string;
  secretsPath: string;
  agentConfigPath: string;
  /** Heartbeats the registry took since start, by path (the fan-out bench divides its idle CPU by them). */
  heartbeatCounts(): { unchanged: number; parsed: number };
  close(): Promise<void>;
}

/**
 * `mig server` in-process: store, audit log, investigators, agent registry, the embedded
 * broker, the server's own MQTT client, the scheduler and the HTTP API. A failure half way
 * closes what was already started.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? (() => undefined);
  const clock = opts.clock ?? systemClock(opts.now);
  const closers: Array<[string, () => Promise<void> | void]> = [];
  const closeAll = async (): Promise<void> => {
    for (const [name, close] of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        log(`server: closing ${name} failed: ${(err as Error).message}`);
      }
    }
  };
  try {
    return await compose(opts, log, clock, closers, closeAll);
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function compose(
  opts: ServerOptions,
  log: (msg: string) => void,
  clock: Clock,
  closers: Array<[string, () => Promise<void> | void]>,
  closeAll: () => Promise<void>,
): Promise<RunningServer> {
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const approval = approvalPolicy(opts.approval);
  const secrets = await loadOrCreateSecrets(opts.dataDir);
  const enrollmentSecret = opts.enrollmentSecret ?? secrets.enrollmentSecret;
  // The stable client id also names this server among those sharing a PostgreSQL store.
  const { store, audit, investigators, events, registry } = await openState(
    opts,
    log,
    clock,
    closers,
    secrets.serverClientId,
  );
  const fleet = store.fleet;
  const policy = await PolicyService.open({
    dataDir: opts.dataDir,
    investigators,
    audit,
    threshold: opts.policyThreshold ?? 1,
    log,
    ...(fleet === undefined
      ? {}
      : { shared: { publish: (version: number, text: string) => fleet.publishPolicy(version, text) } }),
  });

  const broker = await openBrokerSide({
    ...(opts.broker === undefined ? {} : { external: opts.broker }),
    mqttHost: opts.mqttHost,
    mqttPort: opts.mqttPort,
    tls: opts.tls,
    enrollmentSecret,
    serverSecret: secrets.serverSecret,
    serverClientId: secrets.serverClientId,
    agentPasswordHash: (agentId) => registry.enrollments.passwordHashOf(agentId),
    enrollRate: opts.enrollRate,
    log,
  });
  closers.push(['broker', () => broker.close()]);
  closers.push([
    'credential withdrawal',
    registry.enrollments.onCredentialWithdrawn((agentId) => broker.withdraw(agentId)),
  ]);

  let link: ServerLink | undefined;
  const publisher: AgentPublisher = {
    sendCommand: (agentId, msg) =>
      link === undefined ? Promise.reject(new Error('not connected to the broker')) : link.sendCommand(agentId, msg),
    sendCancel: (agentId, msg) =>
      link === undefined ? Promise.reject(new Error('not connected to the broker')) : link.sendCancel(agentId, msg),
  };
  const enroll = enroller({
    registry,
    clock,
    log,
    policy: {
      autoAccept: opts.autoAccept ?? false,
      maxPending: opts.maxPendingEnrollments ?? DEFAULT_MAX_PENDING_ENROLLMENTS,
    },
    reply: (agentId, status) =>
      link === undefined
        ? Promise.reject(new Error('not connected to the broker'))
        : link.sendEnrollStatus(agentId, status),
    ...(broker.provision === undefined ? {} : { provision: broker.provision }),
  });
  const scheduler = new Scheduler({
    store,
    registry,
    publisher,
    events,
    clock,
    log,
    investigators,
    audit,
    approval,
    ...(opts.moduleSpecs === undefined ? {} : { specs: opts.moduleSpecs }),
  });
  closers.push(['scheduler', () => scheduler.close()]);
  link = await broker.connectLink(dispatcher(scheduler, registry, log, (agentId, payload) => enroll(agentId, payload)));
  const connected = link;
  closers.push(['broker link', () => connected.close()]);
  const pusher = new PolicyPusher({
    send: (agentId, msg) => connected.sendPolicy(agentId, msg),
    agents: () => registry.list(),
    latest: () => policy.latest(),
    events,
    clock,
    log,
    repushMs: opts.policyRepushMs,
  });
  closers.push(['policy pusher', () => pusher.close()]);
  closers.push([
    'enrollment decisions',
    registry.enrollments.onDecision((agentId, state) => {
      const reason = state === 'rejected' ? 'enrollment rejected by an admin' : undefined;
      // An external broker's login is enabled before the agent hears it may use it.
      void broker.decided(agentId, state).then(
        () => enroll.tell(agentId, state, reason),
        (err: unknown) =>
          log(
            `broker: ${state === 'accepted' ? 'enabling' : 'disabling'} ${agentId}'s login failed: ${(err as Error).message}`,
          ),
      );
    }),
  ]);
  registry.onFirstSeen(
    (agentId) =>
      void scheduler
        .redeliver(agentId)
        .catch((err: unknown) => log(`scheduler: redelivery to ${agentId}: ${(err as Error).message}`)),
  );
  const external = opts.broker;
  const sync =
    store.fleet === undefined
      ? undefined
      : new FleetSync({
          fleet: store.fleet,
          registry,
          investigators,
          scheduler,
          policy,
          log,
          syncMs: opts.syncMs,
          leaseMs: opts.leaseMs,
          // The lease id is the server's client id: the session a dead server left on the broker.
          ...(external === undefined
            ? {}
            : { forgetSession: (serverId: string) => forgetBrokerSession(external, serverId) }),
          live: (event) => events.emit(event),
        });
  // The lease first: the scheduler then claims the actions of servers that hold none.
  await sync?.renewLease();
  await scheduler.start();
  if (sync !== undefined) {
    closers.push(['fleet sync', () => sync.close()]);
    await sync.start();
  }

  const services: ApiServices = {
    store,
    registry,
    scheduler,
    investigators,
    audit,
    events,
    clock,
    log,
    version: serverVersion(),
  };
  const api = await startApiServer({
    host: opts.httpHost ?? '127.0.0.1',
    port: opts.httpPort,
    routes: [
      ...investigatorRoutes(services),
      ...enrollmentRoutes(services),
      ...agentRoutes(services),
      ...actionRoutes(services),
      ...iocRoutes(services),
      ...eventRoutes(services, opts.sseTiming ?? DEFAULT_SSE_TIMING),
      ...policyRoutes(policy, () => pusher.pushToConnected()),
    ],
    auth: { investigators, nonces: new NonceCache(), now: () => clock.now() },
    tls: opts.tls,
    log,
  });
  closers.push(['http api', () => api.close()]);

  const agentConfig = agentConfigWriter(opts, broker.url, enrollmentSecret, investigators, policy, log);
  await agentConfig.write();
  closers.push(['agent.json writer', investigators.onChange(() => agentConfig.write())]);
  closers.push(['agent.json policy writer', policy.onPublish(() => agentConfig.write())]);
  closers.push(['agent.json writes', () => agentConfig.drain()]);

  return {
    httpUrl: api.url,
    mqttUrl: broker.url,
    enrollmentSecret,
    secretsPath: secretsPath(opts.dataDir),
    agentConfigPath: agentConfigPath(opts.dataDir),
    heartbeatCounts: () => ({ ...registry.heartbeatCounts }),
    close: closeAll,
  };
}

/** The data dir's state: store, audit log, investigators (bootstrapped), live events, registry. */
async function openState(
  opts: ServerOptions,
  log: (msg: string) => void,
  clock: Clock,
  closers: Array<[string, () => Promise<void> | void]>,
  serverId: string,
) {
  const store = await openStore({
    dataDir: opts.dataDir,
    ...(opts.storeUrl === undefined ? {} : { storeUrl: opts.storeUrl }),
    flushMs: opts.flushMs,
    serverId,
    log,
  });
  closers.push(['store', () => store.close()]);
  const audit = await AuditLog.open(join(opts.dataDir, 'audit.log'), () => clock.now());
  closers.push(['audit log', () => audit.drain()]);
  const investigators = await Investigators.open(store, audit, () => clock.now());
  if (opts.bootstrapAdmin !== undefined) {
    const admin = await investigators.bootstrap(opts.bootstrapAdmin);
    if (admin !== undefined) log(`server: enrolled ${admin.name} (${admin.fingerprint}) as the first admin`);
  }
  const events = new EventHub(log);
  const registry = await AgentRegistry.open({
    store,
    clock,
    events,
    log,
    sweepMs: opts.sweepMs,
    noSessionsAtStart: opts.broker === undefined && store.fleet === undefined,
  });
  closers.push(['registry', () => registry.close()]);
  return { store, audit, investigators, events, registry };
}

/** Rewrites agent.json whenever investigators change, one write at a time. */
function agentConfigWriter(
  opts: ServerOptions,
  brokerUrl: string,
  enrollmentSecret: string,
  investigators: Investigators,
  policy: PolicyService,
  log: (msg: string) => void,
) {
  let tail = Promise.resolve();
  const write = (): Promise<void> => {
    tail = tail
      .then(() =>
        writeAgentConfig(opts.dataDir, {
          brokerUrl,
          enrollmentSecret,
          investigators: investigators.list(),
          admins: policy.bakedAdmins(),
          brokerCa: opts.broker !== undefined ? opts.broker.ca : (opts.tls?.ca ?? opts.tls?.cert),
        }),
      )
      .then(
        () => undefined,
        (err: unknown) => log(`server: writing agent.json failed: ${(err as Error).message}`),
      );
    return tail;
  };
  return { write, drain: () => tail };
}
