import type { SignedAction, UnsignedAction } from '../../../../protocol/action.js';
import { emptyCounters, isAwaitingApproval } from '../../../../protocol/api.js';
import { UserError } from '../../../../protocol/errors.js';
import { plannedForWire, translateFeed } from '../../../../intel/ioc/translate.js';
import type { IocResponse } from '../../../../protocol/ioc-api.js';
import { moduleSpecs } from '../../../../modules/registry.js';
import { matchesTarget, parseTarget } from '../../../../protocol/target/index.js';
import { agentFacts } from '../../../../console/state/agents-state.js';
import { makeAgent } from './records.js';
import type {
  ActionRecord,
  AgentRecord,
  CommandRecord,
  ConnectionStatus,
  ConsoleBackend,
  ExportFormat,
  InvestigatorRecord,
  LiveEvent,
  NewInvestigator,
} from '../../../../console/state/backend.js';

export interface Call {
  method: string;
  args: unknown[];
}

/**
 * In-memory ConsoleBackend for console tests: the backend is our own seam, so faking it here is
 * faking our interface, not the server. It evaluates targets with the real target language.
 */
export class FakeBackend implements ConsoleBackend {
  serverUrl = 'https://mig.test:8443';
  /** Set it to play a console that started its own server and agent (quitting then asks). */
  embeddedFleet: string | undefined = undefined;
  investigator = {
    name: 'alice',
    fingerprint: 'a'.repeat(32) + '1234abcd',
    backend: 'keyfile' as const,
    isAdmin: true,
  };
  agents: AgentRecord[] = [];
  actions = new Map<string, ActionRecord>();
  commands = new Map<string, CommandRecord[]>();
  investigators: InvestigatorRecord[] = [];
  files = new Map<string, UnsignedAction | SignedAction>();
  /** Feed files by path: importIocFeed translates them with the real translator, as the server does. */
  feeds = new Map<string, string>();
  readonly calls: Call[] = [];
  /** A method name → the error its next call rejects with. */
  readonly failures = new Map<string, unknown>();
  /** When set, sign() waits for this promise (so tests can see "signing…"). */
  signGate: Promise<void> | undefined;
  private listeners: { onEvent: (e: LiveEvent) => void; onStatus: (s: ConnectionStatus) => void }[] = [];

  private async call<T>(method: string, args: unknown[], answer: () => T | Promise<T>): Promise<T> {
    this.calls.push({ method, args });
    await Promise.resolve();
    if (this.failures.has(method)) {
      const failure = this.failures.get(method);
      this.failures.delete(method);
      throw failure;
    }
    return answer();
  }

  callsTo(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  private matching(target: string): AgentRecord[] {
    const expr = parseTarget(target);
    return this.agents.filter((a) => matchesTarget(expr, agentFacts(a)));
  }

  listAgents = (target?: string) =>
    this.call('listAgents', [target], () => {
      const agents = target === undefined ? this.agents : this.matching(target);
      return { agents, total: agents.length };
    });

  countAgents = (target: string) =>
    this.call('countAgents', [target], () => {
      const m = this.matching(target);
      const n = (s: string): number => m.filter((a) => a.status === s).length;
      return { total: m.length, online: n('online'), idle: n('idle'), offline: n('offline') };
    });

  listActions = () =>
    this.call('listActions', [], () => ({ actions: [...this.actions.values()], total: this.actions.size }));

  getAction = (id: string) =>
    this.call('getAction', [id], () => {
      const record = this.actions.get(id);
      if (record === undefined) throw new UserError('NOT_FOUND', `no action ${id}`);
      return record;
    });

  listCommands = (actionId: string, opts: { limit?: number; offset?: number } = {}) =>
    this.call('listCommands', [actionId, opts], () => {
      const all = this.commands.get(actionId) ?? [];
      const offset = opts.offset ?? 0;
      return { commands: all.slice(offset, offset + (opts.limit ?? all.length)), total: all.length };
    });

  cancelAction = (id: string) =>
    this.call('cancelAction', [id], () => {
      const record = this.actions.get(id);
      if (record === undefined) throw new UserError('NOT_FOUND', `no action ${id}`);
      const cancelled: ActionRecord = { ...record, status: 'cancelled' };
      this.actions.set(id, cancelled);
      return cancelled;
    });

  /** Like the server: adds this investigator as a signer and launches once there are enough. */
  approveAction = (id: string, shown: SignedAction) =>
    this.call('approveAction', [id, shown], () => {
      const record = this.actions.get(id);
      if (record === undefined) throw new UserError('NOT_FOUND', `no action ${id}`);
      if (record.approval === undefined || !isAwaitingApproval(record))
        throw new UserError('CONFLICT', `action ${id} is ${record.status}, not waiting for approval`);
      const signers = [...record.approval.signers, this.investigator.fingerprint];
      const action = { ...shown, signatures: [...shown.signatures, `signature-by-${this.investigator.name}`] };
      const { reason: _held, ...rest } = record;
      const isApproved = signers.length >= record.approval.required;
      const targeted = isApproved ? this.matching(action.target).length : 0;
      const next: ActionRecord = {
        ...(isApproved ? rest : record),
        action,
        status: isApproved ? 'inflight' : 'pending',
        investigators: signers,
        approval: { ...record.approval, signers },
        counters: { ...record.counters, targeted, sent: targeted },
      };
      this.actions.set(id, next);
      return next;
    });

  importIocFeed = (path: string, opts: { target: string; expiry: string }) =>
    this.call('importIocFeed', [path, opts], (): IocResponse => {
      const text = this.feeds.get(path);
      if (text === undefined) throw new UserError('BAD_REQUEST', `cannot read ${path}: no such file`);
      const { format, set, planned } = translateFeed({
        text,
        source: path.split('/').pop() ?? path,
        target: opts.target,
        expiry: opts.expiry,
        now: new Date(),
        specs: moduleSpecs,
      });
      return { format, actions: planned.map(plannedForWire), untranslated: set.untranslated };
    });

  sign = (action: UnsignedAction | SignedAction) =>
    this.call('sign', [action], async () => {
      await this.signGate;
      const signatures = 'signatures' in action ? action.signatures : [];
      return { ...action, signatures: [...signatures, `signature-by-${this.investigator.name}`] };
    });

  signAndLaunch = (action: UnsignedAction | SignedAction, opts: { addSignature: boolean }) =>
    this.call('signAndLaunch', [action, opts], () => {
      const signed = { signatures: [], ...action } as SignedAction;
      const targeted = this.matching(signed.target).length;
      const record: ActionRecord = {
        action: signed,
        status: 'inflight',
        investigators: [this.investigator.fingerprint],
        counters: {
          ...emptyCounters(),
          targeted,
          sent: targeted,
        },
        createdAt: new Date().toISOString(),
      };
      this.actions.set(signed.id, record);
      return record;
    });

  listInvestigators = () => this.call('listInvestigators', [], () => ({ investigators: this.investigators }));

  addInvestigator = (body: NewInvestigator) =>
    this.call('addInvestigator', [body], () => {
      const record: InvestigatorRecord = {
        fingerprint: 'f'.repeat(40),
        name: body.name,
        publicKey: `key from ${body.publicKeyPath}`,
        isAdmin: body.isAdmin,
        status: 'active',
        createdAt: new Date().toISOString(),
      };
      this.investigators = [...this.investigators, record];
      return record;
    });

  /** Enrollments waiting for an admin (records with enrollment 'pending'). */
  pendingAgents: AgentRecord[] = [];

  listPendingAgents = () => this.call('listPendingAgents', [], () => ({ agents: [...this.pendingAgents] }));

  decideEnrollment = (agentId: string, decision: 'accept' | 'reject') =>
    this.call('decideEnrollment', [agentId, decision], () => {
      const record = this.pendingAgents.find((a) => a.id === agentId) ?? this.agents.find((a) => a.id === agentId);
      if (record === undefined) throw new UserError('NOT_FOUND', `no agent ${agentId}`);
      this.pendingAgents = this.pendingAgents.filter((a) => a.id !== agentId);
      const next: AgentRecord = { ...record, enrollment: decision === 'accept' ? 'accepted' : 'rejected' };
      if (decision === 'accept') this.agents = [...this.agents.filter((a) => a.id !== agentId), next];
      else this.agents = this.agents.filter((a) => a.id !== agentId);
      return next;
    });

  setInvestigatorStatus = (fingerprint: string, status: 'active' | 'disabled') =>
    this.call('setInvestigatorStatus', [fingerprint, status], () => {
      const record = this.investigators.find((r) => r.fingerprint === fingerprint);
      if (record === undefined) throw new UserError('NOT_FOUND', `no investigator ${fingerprint}`);
      const next = { ...record, status };
      this.investigators = this.investigators.map((r) => (r.fingerprint === fingerprint ? next : r));
      return next;
    });

  subscribe = (onEvent: (e: LiveEvent) => void, onStatus: (s: ConnectionStatus) => void): (() => void) => {
    const listener = { onEvent, onStatus };
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  };

  emit(event: LiveEvent): void {
    for (const l of this.listeners) l.onEvent(event);
  }

  setStatus(status: ConnectionStatus): void {
    for (const l of this.listeners) l.onStatus(status);
  }

  get subscriberCount(): number {
    return this.listeners.length;
  }

  readActionFile = (path: string) =>
    this.call('readActionFile', [path], () => {
      const action = this.files.get(path);
      if (action === undefined) throw new UserError('NOT_FOUND', `${path}: no such file`, 'check the path');
      return action;
    });

  exportResults = (actionId: string, format: ExportFormat, path: string) =>
    this.call('exportResults', [actionId, format, path], () => path);
}

/** A fake backend whose fleet is `count` online agents (`makeAgent(0)` to `makeAgent(count - 1)`). */
export function backendWithAgents(count: number): FakeBackend {
  const backend = new FakeBackend();
  backend.agents = Array.from({ length: count }, (_, i) => makeAgent(i));
  return backend;
}
