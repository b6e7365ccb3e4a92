import { readFileSync } from 'node:fs';
import { UserError } from '../protocol/errors.js';
import type { ResultMessage } from '../protocol/messages.js';
import { moduleSpecs } from '../modules/registry.js';
import type { BackoffOptions } from './backoff.js';
import { CommandHandler, type CommandHandlerDeps } from './commands.js';
import { agentStateFiles, removeAgentState } from './destroy.js';
import type { AgentConfig } from './config.js';
import { detectFacts, targetFacts, type HostFacts } from './facts.js';
import type { AgentKey } from './agent-key.js';
import { loadOrCreateBrokerPassword } from './credential.js';
import { enrollRequest } from './enroll.js';
import { beatWithJitter } from './heartbeat-timer.js';
import { loadAgentIdentity, type AgentIdentity } from './identity.js';
import { AnswerJournal, type AnswerLimits } from './journal/answer-journal.js';
import { ReplayJournal } from './journal/replay-journal.js';
import { ResponseJournal } from './journal/response-journal.js';
import { RunningJournal } from './journal/running-journal.js';
import { loadTrustRoots, type TrustRoots } from './keys.js';
import { Limiter } from './limiter.js';
import { scopedLog, silentLog, type LogFn } from './log.js';
import { heartbeatMessage, offlineMessage } from './outbox.js';
import { PolicyKeeper } from './policy/policy-keeper.js';
import type { RunnerMap, SpecMap } from './runner.js';
import { AgentLink } from './link.js';
import { leaseSharedPool, type ModulePool } from './worker/pool.js';

export interface StartAgentOptions {
  log?: LogFn;
  /** The clock; tests may fake it. */
  now?: () => Date;
  /** Default: the real module registry and runners. */
  specs?: SpecMap;
  runners?: RunnerMap;
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
  backoff?: BackoffOptions;
  /** Caps of the kept answers (answers.ndjson); default DEFAULT_ANSWER_LIMITS. */
  answerLimits?: Partial<AnswerLimits>;
  /** While its enrollment is pending, how long one enrollment login waits for a decision. */
  pendingWaitMs?: number;
}

export interface RunningAgent {
  agentId: string;
  /** Cancels running commands, answers them, says 'shutdown' and disconnects. Once stopped, does nothing. */
  close(): Promise<void>;
  /**
   * Resolves once a signed agentdestroy made this agent stop for good: result published,
   * 'destroyed' said, session closed without reconnecting, its state removed. Never rejects.
   */
  destroyed: Promise<void>;
}

interface Prepared {
  agentId: string;
  identity: AgentIdentity;
  /** The broker password this agent chose; the server keeps its hash once enrolled. */
  password: string;
  host: HostFacts;
  trust: TrustRoots;
  /** Current trust (baked config or newest policy bundle); handlerDeps follows it as bundles arrive. */
  policy: PolicyKeeper;
  /** Registered, allowed and runnable on this platform: what heartbeats advertise. */
  modules: () => string[];
  /** Signs every answer (agent/agent-key.ts). */
  key: AgentKey;
}

/** Local state first (identity, keys, facts): a broken config fails before any connection. */
async function prepare(config: AgentConfig, specs: SpecMap, platform: NodeJS.Platform, log: LogFn): Promise<Prepared> {
  const identity = loadAgentIdentity(config.dataDir);
  const agentId = identity.agentId;
  const password = loadOrCreateBrokerPassword(config.dataDir);
  const trust = await loadTrustRoots(config);
  const policy = await PolicyKeeper.open(config, trust, scopedLog(log, 'policy'));
  const host = detectFacts({
    agentId,
    name: config.name,
    tags: config.tags,
    root: config.root,
    overrides: config.environment,
  });
  const modules = (): string[] => {
    const allowed = policy.trust.allowedModules;
    return [...specs.values()]
      .filter((s) => (allowed?.has(s.name) ?? true) && s.platforms.includes(platform))
      .map((s) => s.name);
  };
  return { agentId, identity, password, host, trust, policy, modules, key: identity.key };
}

/**
 * Starts an agent: identity, trust roots, journals, then the MQTT session. Resolves once
 * everything local is ready; the connection itself is retried forever in the background.
 */
export async function startAgent(config: AgentConfig, opts: StartAgentOptions = {}): Promise<RunningAgent> {
  const log = opts.log ?? silentLog;
  const now = opts.now ?? (() => new Date());
  const specs = opts.specs ?? moduleSpecs;
  const platform = opts.platform ?? process.platform;
  const prepared = await prepare(config, specs, platform, log);
  const { agentId, host, policy, modules } = prepared;
  // Modules run in worker threads off this event loop (agent/worker/): heartbeats and cancels keep flowing.
  const workers = leaseSharedPool({
    size: config.maxConcurrent,
    memoryMb: config.moduleMemoryMb,
    watchdog: config.watchdog,
    log: scopedLog(log, 'worker'),
  });
  // The replay journal's lines also mark commands running: it opens first, for the leftovers.
  const replay = await ReplayJournal.open(config.dataDir, { now, log });
  const running = await RunningJournal.open(config.dataDir, { log, replay });
  // Read before connecting: anything journaled from now on belongs to this process.
  const leftovers = running.leftovers();
  let session: AgentLink | undefined;
  const publishResult = (message: ResultMessage): Promise<void> => (session ?? notStarted()).publishResult(message);
  const onDestroyRequested = (): void => destroy();
  const deps = await handlerDeps(config, prepared, { running, replay }, publishResult, onDestroyRequested, {
    ...opts,
    log,
    now,
    specs,
    platform,
    pool: workers.pool,
  });
  const handler = new CommandHandler(deps);
  const startedAt = now();
  const heartbeat = (): void => {
    const resources = workers.watchdog.resources();
    const message = heartbeatMessage({
      host,
      modules: modules(),
      heartbeatMs: config.heartbeatMs,
      startedAt,
      sentAt: now(),
      policyVersion: policy.version,
      resources,
    });
    session
      ?.publishHeartbeat(message)
      .catch((err: unknown) => log('warn', `heartbeat not sent: ${(err as Error).message}`));
  };
  const reportLeftovers = once(() => {
    handler
      .reportLeftovers(leftovers)
      .catch((err: unknown) => log('error', `leftover commands: ${(err as Error).message}`));
  });
  session = new AgentLink({
    agentId,
    dataDir: config.dataDir,
    brokerUrl: config.brokerUrl,
    enrollmentSecret: config.enrollmentSecret,
    password: prepared.password,
    isLegacy: prepared.identity.isLegacy,
    enrollRequest: () =>
      enrollRequest({
        agentId,
        key: prepared.identity.key,
        password: prepared.password,
        host,
        modules: modules(),
        heartbeatMs: config.heartbeatMs,
        now,
      }),
    now,
    pendingWaitMs: opts.pendingWaitMs,
    tls: readTls(config),
    will: offlineMessage(agentId, 'lost'),
    onCommand: (payload) => handler.handle(payload),
    onConnect: () => {
      heartbeat();
      reportLeftovers();
      // Once connected, not before: loading the modules in a thread costs ~1 s of CPU, which a
      // starting agent (or a host starting many things) should not spend before it is reachable.
      workers.pool.prewarm();
    },
    log,
    backoff: opts.backoff,
  });
  // A new bundle changes whose signatures count from the next command on; the heartbeat says so at once.
  policy.onApply((next) => {
    Object.assign(deps.accept, { keyring: next.keyring, acl: next.acl, allowedModules: next.allowedModules });
    heartbeat();
  });
  const stopBeats = beatWithJitter(heartbeat, config.heartbeatMs);
  // A watchdog restart is said at once, not a heartbeat interval later.
  const stopRestartBeats = workers.watchdog.onRestart(heartbeat);
  log(
    'info',
    `agent ${agentId} (${describe(host)}) started; broker ${config.brokerUrl}; ${policy.trust.keyring.size} investigator key(s), policy version ${policy.version}; modules ${modules().join(', ')}`,
  );
  const stop = once(async (reason: 'shutdown' | 'destroyed') => {
    stopBeats();
    stopRestartBeats();
    await handler.close();
    await Promise.all([running.close(), deps.accept.replay.close(), deps.answers.close()]);
    await workers.release();
    await session.close(offlineMessage(agentId, reason));
    log('info', `agent ${agentId} stopped (${reason})`);
  });
  const { destroyed, destroy } = destroyer(config.dataDir, agentId, stop, log);
  return { agentId, close: () => stop('shutdown'), destroyed };
}

/** The agentdestroy hook: stop saying 'destroyed' (no reconnect, no will), then remove the agent's state. */
function destroyer(
  dataDir: string,
  agentId: string,
  stop: (reason: 'destroyed') => Promise<void>,
  log: LogFn,
): { destroyed: Promise<void>; destroy: () => void } {
  let markDestroyed: () => void = () => undefined;
  const destroyed = new Promise<void>((resolve) => (markDestroyed = resolve));
  const destroy = (): void => {
    log(
      'warn',
      `agent ${agentId}: a signed agentdestroy was answered; stopping for good and removing its state from ${dataDir}`,
    );
    // void: every failure is logged below; `destroyed` settles whatever happens.
    void stop('destroyed')
      .catch((err: unknown) => log('error', `destroy: stopping failed: ${(err as Error).message}`))
      .then(() => removeAgentState(dataDir, log))
      .catch((err: unknown) => log('error', `destroy: removing the agent's state failed: ${(err as Error).message}`))
      .finally(markDestroyed);
  };
  return { destroyed, destroy };
}

type Resolved = Required<Pick<StartAgentOptions, 'log' | 'now' | 'specs' | 'platform'>> &
  Pick<StartAgentOptions, 'runners' | 'answerLimits'> & { pool: ModulePool };

/** The command path's dependencies; its journals are closed once the handler is. */
type HandlerDeps = CommandHandlerDeps & {
  accept: { replay: ReplayJournal };
  answers: AnswerJournal;
};

async function handlerDeps(
  config: AgentConfig,
  prepared: Prepared,
  { running, replay }: { running: RunningJournal; replay: ReplayJournal },
  publishResult: (message: ResultMessage) => Promise<void>,
  onDestroyRequested: () => void,
  opts: Resolved,
): Promise<HandlerDeps> {
  const { log, now } = opts;
  const [answers, responseJournal] = await Promise.all([
    AnswerJournal.open(config.dataDir, { now, log: scopedLog(log, 'answers'), limits: opts.answerLimits }),
    ResponseJournal.open(config.dataDir, { log: scopedLog(log, 'response journal') }),
  ]);
  return {
    accept: {
      keyring: prepared.policy.trust.keyring,
      acl: prepared.policy.trust.acl,
      replay,
      facts: targetFacts(prepared.host),
      now,
      maxClockSkewMs: config.maxClockSkewMs,
      allowedModules: prepared.policy.trust.allowedModules,
      specs: opts.specs,
      platform: opts.platform,
    },
    running,
    answers,
    limiter: new Limiter(config.maxConcurrent),
    run: {
      root: config.root,
      isPrivacyMode: config.privacyMode,
      timeoutMs: config.moduleTimeoutMs,
      settings: config.moduleSettings,
      now,
      log: scopedLog(log, 'module'),
      runners: opts.runners,
      pool: opts.pool,
    },
    publishResult,
    // Signed under the id we publish as: the answer is bound to our results topic.
    signer: { agentId: prepared.agentId, privateKey: prepared.key.privateKey, publicKey: prepared.key.publicKey },
    now,
    log: scopedLog(log, 'command'),
    responseJournal,
    self: { agentId: prepared.agentId, stateFiles: () => agentStateFiles(config.dataDir) },
    onDestroyRequested,
    onPolicy: (text) => void prepared.policy.offer(text),
  };
}

/** The first call runs `fn`; later calls get the first call's return value, whatever their arguments. */
function once<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let result: { value: R } | undefined;
  return (...args) => {
    result ??= { value: fn(...args) };
    return result.value;
  };
}

function readTls(config: AgentConfig): { ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined {
  if (config.tls === undefined) return undefined;
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    const path = config.tls[field];
    if (path === undefined) continue;
    try {
      out[field] = readFileSync(path);
    } catch (err) {
      throw new UserError(
        'CONFIG_INVALID',
        `agent config: tls.${field}: cannot read ${path} (${(err as Error).message})`,
        'check the path',
        { cause: err },
      );
    }
  }
  return out;
}

function describe(host: HostFacts): string {
  return `${host.name}, ${host.os}/${host.arch}, ${host.environment.ident}`;
}

function notStarted(): never {
  throw new Error('the MQTT session is not started yet');
}
