import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeartbeatMessage } from '../../protocol/messages.js';
import { systemClock } from '../clock.js';
import { EventHub } from '../events/event-hub.js';
import { LowdbStore } from '../store/lowdb-store.js';
import type { StoredAgent } from '../store/store.js';
import { webHostFacts } from '../../test/helpers/broker/agent-facts.js';
import { AgentRegistry } from './registry.js';
import { isUnchangedHeartbeat, sameJson } from './unchanged-heartbeat.js';

const AGENT_ID = 'agent-fast-path';
const STARTED = '2026-12-06T10:00:00.000Z';

function heartbeat(overrides: Partial<Record<keyof HeartbeatMessage, unknown>> = {}): Record<string, unknown> {
  return {
    v: 1,
    kind: 'heartbeat',
    agentId: AGENT_ID,
    ...webHostFacts(AGENT_ID),
    tags: { team: 'ops' },
    modules: ['file', 'netstat'],
    heartbeatMs: 30_000,
    startedAt: STARTED,
    sentAt: '2026-12-06T10:00:30.000Z',
    policyVersion: 3,
    ...overrides,
  };
}

/** A record as the registry builds it from `heartbeat()`. */
function recordOf(msg: Record<string, unknown>): StoredAgent {
  const { v: _v, kind: _k, agentId, sentAt: _s, ...facts } = msg;
  return {
    ...(facts as Omit<StoredAgent, 'id'>),
    id: String(agentId),
    status: 'online',
    firstSeenAt: STARTED,
    lastHeartbeatAt: STARTED,
  };
}

describe('isUnchangedHeartbeat', () => {
  const previous = recordOf(heartbeat());
  const text = (msg: Record<string, unknown>): string => JSON.stringify(msg);

  it('accepts the same heartbeat with a new sentAt, in any key order', () => {
    expect(isUnchangedHeartbeat(text(heartbeat({ sentAt: '2026-12-06T10:01:00.000Z' })), previous)).toBe(true);
    const reordered = Object.fromEntries(Object.entries(heartbeat()).reverse());
    expect(isUnchangedHeartbeat(text(reordered), previous)).toBe(true);
  });

  it("takes the agent's resources (watchdog), which change at every beat, checked by their schema", () => {
    const resources = { rssMb: 81, cpuPercent: 0.4, watchdogRestarts: 0 };
    expect(isUnchangedHeartbeat(text(heartbeat({ resources })), previous)).toBe(true);
    expect(isUnchangedHeartbeat(text(heartbeat({ resources: { ...resources, rssMb: -1 } })), previous)).toBe(false);
    expect(isUnchangedHeartbeat(text(heartbeat({ resources: { ...resources, secret: 'x' } })), previous)).toBe(false);
  });

  it('sends every other message to the full parse', () => {
    const cases: Record<string, string> = {
      'a changed tag': text(heartbeat({ tags: { team: 'dev' } })),
      'a new address': text(
        heartbeat({
          environment: { ident: 'Debian 12', init: 'systemd', addresses: ['10.0.0.5', '10.0.0.6'], hostname: 'web-1' },
        }),
      ),
      'a new policy version': text(heartbeat({ policyVersion: 4 })),
      'no policy version': text(heartbeat({ policyVersion: undefined })),
      'an extra key': text({ ...heartbeat(), extra: 1 }),
      'a sentAt that is no time': text(heartbeat({ sentAt: 'yesterday' })),
      'a missing sentAt': text(heartbeat({ sentAt: undefined })),
      'another agent id': text(heartbeat({ agentId: 'agent-other' })),
      'an offline notice': text({ v: 1, kind: 'offline', agentId: AGENT_ID, reason: 'lost' }),
      'not JSON': '{"v":1,',
      'an array': '[]',
    };
    for (const [what, payload] of Object.entries(cases))
      expect(isUnchangedHeartbeat(payload, previous), what).toBe(false);
  });

  it('compares JSON values deeply', () => {
    expect(sameJson({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(sameJson({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe(false);
    expect(sameJson({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
    expect(sameJson({ a: undefined }, { b: undefined })).toBe(false);
  });
});

describe('AgentRegistry heartbeats after the first', () => {
  let dir: string;
  let store: LowdbStore;
  let registry: AgentRegistry;
  let nowMs: number;
  const logs: string[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mig-registry-fast-'));
    nowMs = Date.parse('2026-12-06T10:00:00.000Z');
    store = await LowdbStore.open({ dataDir: dir, flushMs: 10 });
    // A record from before enrollment existed is an accepted agent: heartbeats are taken.
    await store.saveAgent(recordOf(heartbeat()));
    logs.length = 0;
    registry = await AgentRegistry.open({
      store,
      clock: systemClock(() => new Date(nowMs)),
      events: new EventHub(),
      log: (m) => logs.push(m),
      sweepMs: 60_000,
    });
  });

  afterEach(async () => {
    registry.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const beat = (msg: Record<string, unknown>): void =>
    registry.handleHeartbeatTopic(AGENT_ID, Buffer.from(JSON.stringify(msg)));

  it('moves the heartbeat time on an unchanged heartbeat, and takes changed facts', () => {
    beat(heartbeat());
    nowMs += 30_000;
    beat(heartbeat({ sentAt: '2026-12-06T10:01:00.000Z' }));
    expect(registry.get(AGENT_ID)?.lastHeartbeatAt).toBe('2026-12-06T10:00:30.000Z');
    nowMs += 30_000;
    beat(heartbeat({ sentAt: '2026-12-06T10:01:30.000Z', tags: { team: 'dev' }, modules: ['file'] }));
    const agent = registry.get(AGENT_ID);
    expect(agent?.tags).toEqual({ team: 'dev' });
    expect(agent?.modules).toEqual(['file']);
    expect(agent?.lastHeartbeatAt).toBe('2026-12-06T10:01:00.000Z');
    expect(logs).toEqual([]);
    // The second was the fast path's; the first and the changed one were parsed in full.
    expect(registry.heartbeatCounts).toEqual({ unchanged: 1, parsed: 2 });
  });

  it('still refuses a malformed heartbeat after a good one, with its code, and keeps the last good facts', () => {
    beat(heartbeat());
    nowMs += 30_000;
    beat(heartbeat({ sentAt: 'yesterday' }));
    beat(heartbeat({ name: 'x'.repeat(300) }));
    beat({ ...heartbeat(), extra: true });
    expect(logs).toHaveLength(3);
    expect(registry.heartbeatCounts).toEqual({ unchanged: 0, parsed: 4 });
    for (const line of logs)
      expect(line).toMatch(/^registry: dropped \[MALFORMED_MESSAGE\]: heartbeat from agent-fast-path: /);
    expect(logs[0]).toContain('sentAt');
    expect(logs[1]).toContain('name');
    expect(logs[2]).toContain('extra');
    const agent = registry.get(AGENT_ID);
    expect(agent?.name).toBe('web-1');
    expect(agent?.lastHeartbeatAt).toBe('2026-12-06T10:00:00.000Z');
  });

  it('a heartbeat after an offline notice goes through the full path and brings the agent back', () => {
    beat(heartbeat());
    registry.handleHeartbeatTopic(
      AGENT_ID,
      Buffer.from(JSON.stringify({ v: 1, kind: 'offline', agentId: AGENT_ID, reason: 'lost' })),
    );
    expect(registry.get(AGENT_ID)?.status).toBe('offline');
    nowMs += 1_000;
    beat(heartbeat());
    expect(registry.get(AGENT_ID)?.status).toBe('online');
  });
});
