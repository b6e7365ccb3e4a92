import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActionRecord, CommandRecord, LiveEvent } from '../../protocol/api.js';
import { newActionId } from '../../protocol/canonical.js';
import { signedAction } from '../../test/helpers/actions.js';
import { waitFor } from '../../test/helpers/broker/harness.js';
import { postgresUnavailableReason, startTestPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { emptyCounters } from '../scheduler/counters.js';
import { IDS_PER_NOTICE, LIVE_CHANNEL, LiveRelay, type LiveReader } from './postgres-live.js';
import { PostgresStore } from './postgres-store.js';

/**
 * The relay on its own: a store writing as one server, a relay listening as another, both on a
 * real PostgreSQL (end to end with two servers: test/external/postgres-live-events.test.ts).
 */
const unavailable = postgresUnavailableReason();
if (unavailable !== undefined)
  console.warn(
    `\n!!! broker/store/postgres-live.test.ts SKIPPED: ${unavailable}\n!!! Install it (apt-get install postgresql) to run it.\n`,
  );

describe.skipIf(unavailable !== undefined)('LiveRelay: other servers’ writes as events', () => {
  let cluster: TestPostgres;
  /** Writes as server a. */
  let store: PostgresStore;
  /** Listens as server b: its store's relay, as a second server runs it. */
  let listener: PostgresStore;
  let relay: { close(): Promise<void> };
  let url: string;
  const events: LiveEvent[] = [];
  const logs: string[] = [];
  let databases = 0;
  beforeAll(async () => {
    cluster = await startTestPostgres();
  });
  afterAll(() => cluster.stop());
  afterEach(async () => {
    await relay.close();
    await Promise.all([store.close(), listener.close()]);
    events.splice(0);
    logs.splice(0);
  });

  async function open(): Promise<void> {
    databases += 1;
    url = await cluster.createDatabase(`live_relay_${databases}`);
    store = await PostgresStore.open({ url, serverId: 'mig-server-0000000a' });
    listener = await PostgresStore.open({ url, serverId: 'mig-server-0000000b', log: (m) => logs.push(m) });
    relay = await listener.fleet.relayLiveEvents((e) => events.push(e));
  }

  async function newAction(): Promise<ActionRecord> {
    const record: ActionRecord = {
      action: { ...(await signedAction(['alice'])), id: newActionId() },
      status: 'inflight',
      investigators: [],
      counters: emptyCounters(),
      createdAt: new Date().toISOString(),
    };
    await store.createAction(record);
    return record;
  }

  const command = (action: ActionRecord, agentId: string, patch: Partial<CommandRecord> = {}): CommandRecord => ({
    id: createHash('sha256').update(`${action.action.id}/${agentId}`).digest('hex').slice(0, 32),
    actionId: action.action.id,
    agentId,
    agentName: agentId,
    status: 'sent',
    createdAt: action.createdAt,
    sentAt: action.createdAt,
    ...patch,
  });

  /** Every notice sent before this one has been relayed once its action shows up. */
  async function barrier(): Promise<void> {
    const action = await newAction();
    await waitFor(() => events.some((e) => e.type === 'action' && e.action.action.id === action.action.id), 'barrier');
  }

  /** A notice as another server would send it. */
  async function notify(notice: object): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, JSON.stringify(notice)]);
    } finally {
      await client.end();
    }
  }

  const commandEvents = (id: string): CommandRecord[] =>
    events.flatMap((e) => (e.type === 'command' && e.command.id === id ? [e.command] : []));

  it('emits a finished command once, even when a later notice names it again', async () => {
    await open();
    const action = await newAction();
    const sent = command(action, 'agent-1');
    await store.saveCommands([sent]);
    await store.saveCommands([{ ...sent, status: 'success', finishedAt: new Date().toISOString(), isFound: true }]);
    await waitFor(() => commandEvents(sent.id).some((c) => c.status === 'success'), 'the result');
    // As if a notice were late or sent twice: the row read is the same finished command.
    await notify({ s: 'mig-server-0000000c', k: 'c', ids: [sent.id] });
    await barrier();
    expect(commandEvents(sent.id).filter((c) => c.status === 'success')).toHaveLength(1);
    expect(events.some((e) => e.type === 'action' && e.action.action.id === action.action.id)).toBe(true);
  });

  it('relays a group of commands larger than one notice holds, each command once', async () => {
    await open();
    const action = await newAction();
    const count = IDS_PER_NOTICE * 2 + 17;
    const group = Array.from({ length: count }, (_, i) => command(action, `agent-${i}`));
    await store.saveCommands(group);
    await barrier();
    expect(new Set(events.flatMap((e) => (e.type === 'command' ? [e.command.id] : []))).size).toBe(count);
    expect(events.filter((e) => e.type === 'command')).toHaveLength(count);
    expect(logs).toEqual([]);
  });

  it('skips the notices of its own server, whose scheduler emitted those events itself', async () => {
    await open();
    const ownEvents: LiveEvent[] = [];
    const own = await store.fleet.relayLiveEvents((e) => ownEvents.push(e));
    try {
      const action = await newAction();
      await store.saveCommands([command(action, 'agent-1')]);
      // A notice from another server after those: once it is relayed, the store's own were seen.
      const marker = await newAction();
      await notify({ s: 'mig-server-0000000c', k: 'a', ids: [marker.action.id] });
      await waitFor(() => ownEvents.length > 0, "the other server's notice");
      expect(ownEvents.map((e) => (e.type === 'action' ? e.action.action.id : e.type))).toEqual([marker.action.id]);
      await barrier();
      expect(events.filter((e) => e.type === 'command')).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  /**
   * A relay as server b runs one, over a reader that lets server a's writes land at a chosen
   * moment of a batch's reads; `early` lists each completed action emitted while one of the
   * watched commands had no finished event yet.
   */
  async function relayWithWrites(): Promise<{
    seen: LiveEvent[];
    early: string[];
    finishedIds: Set<string>;
    watch: (commandIds: readonly string[]) => void;
    land: (moment: 'before the reads' | 'after the first read', write: () => Promise<void>) => void;
    hasLanded: () => boolean;
    close: () => Promise<void>;
  }> {
    const seen: LiveEvent[] = [];
    const finishedIds = new Set<string>();
    const early: string[] = [];
    let watched: readonly string[] = [];
    let pending: { moment: string; write: () => Promise<void> } | undefined;
    const writeAt = async (moment: string): Promise<void> => {
      if (pending?.moment !== moment) return;
      const { write } = pending;
      pending = undefined;
      await write();
    };
    const read = async <T>(reading: () => Promise<T>): Promise<T> => {
      await writeAt('before the reads');
      const rows = await reading();
      await writeAt('after the first read');
      return rows;
    };
    const reader: LiveReader = {
      getCommands: (ids) => read(() => listener.getCommands(ids)),
      actionsWritten: (ids) =>
        read(async () => (await Promise.all(ids.map((id) => listener.getAction(id)))).flatMap((a) => (a ? [a] : []))),
      openActions: () => listener.openActions(),
    };
    const relay = await LiveRelay.start({
      url,
      serverId: 'mig-server-0000000b',
      reader,
      log: (m) => logs.push(m),
      // One batch for notices written back to back.
      gatherMs: 300,
      emit: (e) => {
        seen.push(e);
        if (e.type === 'command' && e.command.status === 'success') finishedIds.add(e.command.id);
        if (e.type === 'action' && e.action.status === 'completed' && watched.some((id) => !finishedIds.has(id)))
          early.push(e.action.action.id);
      },
    });
    return {
      seen,
      early,
      finishedIds,
      watch: (commandIds) => (watched = commandIds),
      land: (moment, write) => (pending = { moment, write }),
      hasLanded: () => pending === undefined,
      close: () => relay.close(),
    };
  }

  const completedSeen = (events: readonly LiveEvent[]): boolean =>
    events.some((e) => e.type === 'action' && e.action.status === 'completed');

  it('never shows an action completed ahead of its results, even when they land between its two reads', async () => {
    await open();
    const relay = await relayWithWrites();
    try {
      const action = await newAction();
      const sent = command(action, 'agent-1');
      relay.watch([sent.id]);
      relay.land('after the first read', async () => {
        await store.saveCommands([{ ...sent, status: 'success', finishedAt: new Date().toISOString(), isFound: true }]);
        await store.saveAction({ ...action, status: 'completed' });
      });
      await store.saveCommands([sent]);
      await waitFor(() => completedSeen(relay.seen), 'the completed action');
      expect(relay.hasLanded()).toBe(true);
      expect(relay.early).toEqual([]);
      expect(relay.finishedIds.has(sent.id)).toBe(true);
    } finally {
      await relay.close();
    }
  });

  it('never shows an action completed ahead of its results when the reads run ahead of the notices', async () => {
    await open();
    const relay = await relayWithWrites();
    try {
      const action = await newAction();
      const sent = [command(action, 'agent-1'), command(action, 'agent-2')];
      relay.watch(sent.map((c) => c.id));
      await store.saveCommands(sent);
      await waitFor(
        () => sent.every((c) => relay.seen.some((e) => e.type === 'command' && e.command.id === c.id)),
        'the launch',
      );
      // A batch naming only the action; before it is read, both results and the completion are
      // committed, so the action read is newer than every notice gathered.
      relay.land('before the reads', async () => {
        const finishedAt = new Date().toISOString();
        await store.saveCommands(sent.map((c) => ({ ...c, status: 'success' as const, finishedAt, isFound: true })));
        await store.saveAction({ ...action, status: 'completed' });
      });
      await store.saveAction({ ...action, status: 'inflight' });
      await waitFor(() => completedSeen(relay.seen), 'the completed action');
      expect(relay.hasLanded()).toBe(true);
      expect(relay.early).toEqual([]);
      // Every notice before this one has been relayed once this action shows up.
      const marker = await newAction();
      await waitFor(
        () => relay.seen.some((e) => e.type === 'action' && e.action.action.id === marker.action.id),
        'the marker action',
      );
      for (const c of sent)
        expect(
          relay.seen.filter((e) => e.type === 'command' && e.command.id === c.id && e.command.status === 'success'),
        ).toHaveLength(1);
    } finally {
      await relay.close();
    }
  });

  it('listens again after its connection is cut, and emits the open actions as they stand', async () => {
    await open();
    const action = await newAction();
    const actionEvents = () => events.filter((e) => e.type === 'action' && e.action.action.id === action.action.id);
    await waitFor(() => actionEvents().length === 1, 'the action');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ cut: boolean }>(
        `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE query = $1 AND datname = current_database()`,
        [`LISTEN ${LIVE_CHANNEL}`],
      );
      expect(rows.map((r) => r.cut)).toEqual([true]);
    } finally {
      await admin.end();
    }
    await waitFor(() => logs.some((l) => /lost the live-events connection/.test(l)), 'the loss logged');
    // Listening again: the open action comes once more, then writes are relayed as before.
    await waitFor(() => actionEvents().length === 2, 'the open action after listening again', 20_000);
    const sent = command(action, 'agent-after');
    await store.saveCommands([sent]);
    await waitFor(() => commandEvents(sent.id).length === 1, 'a command written after the cut');
  });
});
