import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { EventHub } from '../events/event-hub.js';
import { LowdbStore } from '../store/lowdb-store.js';
import type { StoredAgent } from '../store/store.js';
import { webHostFacts } from '../../test/helpers/broker/agent-facts.js';
import { AgentRegistry } from './registry.js';

// Presence comes from the agent's MQTT session (its will says when it is gone), heartbeats
// carry facts every few minutes: what the registry makes of both, with the default interval.
const AGENT_ID = 'agent-presence';
/** The agents' default interval (agent/config.ts, DEFAULT_HEARTBEAT_MS; the server does not import agent code). */
const BEAT_MS = 300_000;
const T0 = Date.parse('2026-12-07T04:00:00.000Z');

/** What this agent says about itself, in its heartbeats and in the record a previous server kept. */
const facts = {
  ...webHostFacts(AGENT_ID),
  tags: {},
  modules: ['file'],
  heartbeatMs: BEAT_MS,
  startedAt: new Date(T0).toISOString(),
};

function heartbeat(sentAtMs: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: 1,
      kind: 'heartbeat',
      agentId: AGENT_ID,
      ...facts,
      sentAt: new Date(sentAtMs).toISOString(),
    }),
  );
}

const lost = Buffer.from(JSON.stringify({ v: 1, kind: 'offline', agentId: AGENT_ID, reason: 'lost' }));

/** The record a previous server process left: heard from a minute before this one started. */
const stored: StoredAgent = {
  id: AGENT_ID,
  ...facts,
  status: 'online',
  firstSeenAt: new Date(T0).toISOString(),
  lastHeartbeatAt: new Date(T0 - 60_000).toISOString(),
};

describe('AgentRegistry presence', () => {
  let dir: string;
  let store: LowdbStore;
  let nowMs: number;
  const registries: AgentRegistry[] = [];

  const open = (noSessionsAtStart: boolean): Promise<AgentRegistry> =>
    AgentRegistry.open({
      store,
      clock: systemClock(() => new Date(nowMs)),
      events: new EventHub(),
      log: () => undefined,
      sweepMs: 60_000,
      noSessionsAtStart,
    }).then((registry) => {
      registries.push(registry);
      return registry;
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mig-registry-presence-'));
    nowMs = T0;
    store = await LowdbStore.open({ dataDir: dir, flushMs: 10 });
    await store.saveAgent(stored);
  });

  afterEach(async () => {
    for (const registry of registries.splice(0)) registry.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an agent online between heartbeats minutes apart, and offline at once on its will', async () => {
    const registry = await open(false);
    registry.handleHeartbeatTopic(AGENT_ID, heartbeat(nowMs));
    nowMs += BEAT_MS + BEAT_MS / 2; // a late beat: still online
    expect(registry.get(AGENT_ID)?.status).toBe('online');
    registry.handleHeartbeatTopic(AGENT_ID, lost); // the broker's keepalive gave up on it
    expect(registry.get(AGENT_ID)?.status).toBe('offline');
    nowMs += 1_000;
    registry.handleHeartbeatTopic(AGENT_ID, heartbeat(nowMs)); // reconnected: it beats at once
    expect(registry.get(AGENT_ID)?.status).toBe('online');
  });

  it('with the embedded broker, an agent not heard from since the server started is offline until it beats', async () => {
    const registry = await open(true);
    expect(registry.get(AGENT_ID)?.status).toBe('offline');
    expect(registry.statusCounts()).toMatchObject({ online: 0, offline: 1 });
    registry.handleHeartbeatTopic(AGENT_ID, heartbeat(nowMs));
    expect(registry.get(AGENT_ID)?.status).toBe('online');
  });

  it('with a broker that outlives the server, the stored heartbeat still counts', async () => {
    const registry = await open(false);
    expect(registry.get(AGENT_ID)?.status).toBe('online');
  });
});
