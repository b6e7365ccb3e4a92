// The registry's share of a heartbeat (broker/registry/registry.ts): 10,000 accepted agents
// in a real store, each beating with exactly what it said last time but for sentAt (what a
// fleet sends all day: the fast path of unchanged-heartbeat.ts), against the same heartbeats
// with one tag changed each time (every one through the full zod parse, a facts comparison and
// a store write). CPU of this process, no MQTT: aedes' share is in the fan-out idle row.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../broker/clock.js';
import { EventHub } from '../broker/events/event-hub.js';
import { AgentRegistry } from '../broker/registry/registry.js';
import { LowdbStore } from '../broker/store/lowdb-store.js';
import type { StoredAgent } from '../broker/store/store.js';
import type { BenchRow } from './types.js';

const AGENTS = 10_000;
const PASSES = 5;
const STARTED = '2026-12-06T10:00:00.000Z';

function heartbeat(id: string, n: number, changed: boolean): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: 1,
      kind: 'heartbeat',
      agentId: id,
      name: `host-${id.slice(-5)}`,
      os: 'linux',
      arch: 'x64',
      version: '0.1.0',
      mode: 'daemon',
      queueloc: `linux.${id}`,
      environment: {
        ident: 'Debian GNU/Linux 12 (bookworm)',
        init: 'systemd',
        addresses: ['10.0.0.5', 'fe80::1'],
        hostname: `host-${id.slice(-5)}`,
      },
      tags: changed ? { team: 'ops', pass: String(n) } : { team: 'ops' },
      modules: ['file', 'netstat', 'memory', 'agentdestroy', 'ping', 'timedrift', 'pkg', 'dispatch', 'examplepersist'],
      heartbeatMs: 30_000,
      startedAt: STARTED,
      sentAt: new Date(Date.parse(STARTED) + n * 30_000).toISOString(),
      policyVersion: 0,
    }),
  );
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mig-heartbeat-bench-'));
  try {
    const store = await LowdbStore.open({ dataDir: join(dir, 'data') });
    const ids = Array.from({ length: AGENTS }, (_, i) => `agent-${String(i).padStart(6, '0')}`);
    // Each save settles at the store's next batched flush: all at once, not one flush each.
    await Promise.all(
      ids.map((id) => {
        const record: StoredAgent = {
          id,
          name: id,
          os: 'linux',
          arch: 'x64',
          version: '0.1.0',
          mode: 'daemon',
          queueloc: `linux.${id}`,
          environment: { ident: '', init: '', addresses: [], hostname: id },
          tags: {},
          modules: [],
          status: 'offline',
          heartbeatMs: 30_000,
          startedAt: STARTED,
          firstSeenAt: STARTED,
          lastHeartbeatAt: STARTED,
        };
        return store.saveAgent(record);
      }),
    );
    const registry = await AgentRegistry.open({
      store,
      clock: systemClock(),
      events: new EventHub(),
      log: (msg) => console.error(msg),
      sweepMs: 3_600_000,
    });
    // Payloads made beforehand: what is timed is the registry, not JSON.stringify.
    const pass = (n: number, changed: boolean): Buffer[] => ids.map((id) => heartbeat(id, n, changed));
    const cpuOf = (payloads: Buffer[]): number => {
      const start = process.cpuUsage();
      payloads.forEach((payload, i) => registry.handleHeartbeatTopic(ids[i] ?? '', payload));
      const cpu = process.cpuUsage(start);
      return (cpu.user + cpu.system) / 1000;
    };
    cpuOf(pass(0, false)); // first beats: full parse, facts change from the stored records
    const unchanged: number[] = [];
    const changed: number[] = [];
    for (let n = 1; n <= PASSES; n++) {
      unchanged.push(cpuOf(pass(2 * n, false)));
      changed.push(cpuOf(pass(2 * n + 1, true)));
      // Back to the unchanged facts, through the full parse: the next unchanged pass is comparable.
      cpuOf(pass(2 * n + 1, false));
    }
    const counts = { ...registry.heartbeatCounts };
    registry.close();
    await store.close();
    const best = (values: number[]): number => Math.min(...values);
    const per1000 = (ms: number): number => (ms / AGENTS) * 1000;
    return [
      {
        name: 'registry: 1,000 unchanged heartbeats',
        ours: per1000(best(unchanged)),
        reference: 'the same, one fact changed (full parse)',
        referenceValue: per1000(best(changed)),
        unit: 'ms',
        note: `CPU of broker/registry handleHeartbeatTopic, ${AGENTS.toLocaleString('en-US')} agents in a lowdb store, least of ${PASSES} passes (unchanged [${unchanged.map((v) => per1000(v).toFixed(1)).join(', ')}], changed [${changed.map((v) => per1000(v).toFixed(1)).join(', ')}] ms per 1,000); fast path ${counts.unchanged}, full parse ${counts.parsed}; no MQTT; load average ${(loadavg()[0] ?? Number.NaN).toFixed(1)}`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
