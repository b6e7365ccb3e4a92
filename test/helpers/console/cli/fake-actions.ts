import type { SignedAction } from '../../../../protocol/action.js';
import { emptyCounters, type ActionRecord, type CommandRecord, type Counters } from '../../../../protocol/api.js';
import type { OperationResult } from '../../../../protocol/messages.js';
import { armoredPublicKey, fingerprint } from '../../keys.js';
import type { FakeApi } from '../services/fake-api.js';

/**
 * Test-only server behaviour for actions on top of FakeApi: POST /actions stores the action and
 * its commands come back when the test decides (via events, polling or both).
 */
export interface FakeAgentAnswer {
  agentId: string;
  agentName: string;
  status: CommandRecord['status'];
  operations?: OperationResult[];
}

export interface FakeFleet {
  posted: SignedAction[];
  cancelled: string[];
  /** Answers become visible to polling once `finish()` runs (or immediately with isImmediate). */
  finish(): void;
}

/** A file-module answer that found `path`, with these warnings. */
export function fileHit(path: string, errors: string[] = []): OperationResult {
  return { module: 'file', isFound: true, rows: [{ path }], stats: {}, errors };
}

/** A file-module answer that found nothing, with these warnings. */
export function fileMiss(errors: string[] = []): OperationResult {
  return { module: 'file', isFound: false, rows: [], stats: {}, errors };
}

/** An active, non-admin investigator record for a test key, as GET /investigators lists it. */
export async function activeInvestigator(person: 'alice' | 'bob') {
  return {
    fingerprint: await fingerprint(person),
    name: person,
    publicKey: armoredPublicKey(person),
    isAdmin: false,
    status: 'active',
    createdAt: new Date().toISOString(),
  };
}

function counters(answers: readonly FakeAgentAnswer[], isDone: boolean): Counters {
  const c: Counters = {
    ...emptyCounters(),
    targeted: answers.length,
    sent: answers.length,
  };
  if (!isDone) return c;
  for (const a of answers) {
    if (a.status !== 'sent') c[a.status]++;
    c.done++;
    if (a.operations?.some((op) => op.isFound) === true) c.found++;
  }
  return c;
}

export function commandFor(action: SignedAction, a: FakeAgentAnswer, i: number): CommandRecord {
  const now = new Date().toISOString();
  return {
    id: `c${i}`.padEnd(16, '0'),
    actionId: action.id,
    agentId: a.agentId,
    agentName: a.agentName,
    status: a.status,
    createdAt: now,
    finishedAt: now,
    isFound: a.operations?.some((op) => op.isFound) ?? false,
    ...(a.operations === undefined ? {} : { operations: a.operations }),
  };
}

export function serveFleet(
  api: FakeApi,
  opts: { answers: FakeAgentAnswer[]; isImmediate?: boolean; viaEvents?: boolean; fingerprint: string },
): FakeFleet {
  const fleet: FakeFleet & { isDone: boolean } = {
    posted: [],
    cancelled: [],
    isDone: opts.isImmediate ?? true,
    finish() {
      fleet.isDone = true;
    },
  };
  const online = opts.answers.length;
  api.route('GET', /^\/agents\/count$/, () => ({ body: { total: online, online, idle: 0, offline: 0 } }));
  const record = (action: SignedAction): ActionRecord => ({
    action,
    status: fleet.cancelled.includes(action.id) ? 'cancelled' : fleet.isDone ? 'completed' : 'inflight',
    investigators: [opts.fingerprint],
    counters: counters(opts.answers, fleet.isDone),
    createdAt: new Date().toISOString(),
  });
  const find = (id: string | undefined): SignedAction | undefined => fleet.posted.find((a) => a.id === id);
  api.route('POST', /^\/actions$/, (req) => {
    const action = req.body as SignedAction;
    fleet.posted.push(action);
    if (opts.viaEvents === true) {
      // After the answer is on its way: the CLI subscribes once it has the record.
      setTimeout(
        () => opts.answers.forEach((a, i) => api.emit({ type: 'command', command: commandFor(action, a, i) })),
        20,
      );
    }
    return { status: 201, body: record(action) };
  });
  api.route('GET', /^\/actions\/([0-9a-f]+)$/, (_req, [id]) => {
    const action = find(id);
    return action === undefined
      ? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such action' } } }
      : { body: record(action) };
  });
  api.route('GET', /^\/actions\/([0-9a-f]+)\/commands$/, (_req, [id]) => {
    const action = find(id);
    const commands = action !== undefined && fleet.isDone ? opts.answers.map((a, i) => commandFor(action, a, i)) : [];
    return { body: { commands, total: commands.length } };
  });
  api.route('POST', /^\/actions\/([0-9a-f]+)\/cancel$/, (_req, [id]) => {
    const action = find(id);
    if (action === undefined) return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such action' } } };
    fleet.cancelled.push(action.id);
    return { body: record(action) };
  });
  return fleet;
}
