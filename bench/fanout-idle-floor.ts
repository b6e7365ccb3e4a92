// The idle row's floor, measured in the same run: bare aedes (bench/aedes-idle.ts, in a process
// of its own, none of our code) taking the same packets at the same rate from as many mqtt.js
// clients, once the simulated fleet has closed. On this VM a packet costs the bare broker about
// 1 ms of CPU at a trickle (each one wakes the event loop alone), so most of the idle row is
// that floor; the ratio says what our server adds to it (doc/performance.md, issue 12 session 9).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './types.js';

const AEDES_IDLE = fileURLToPath(new URL('./aedes-idle.ts', import.meta.url));
const FLOOR_LINE =
  /server CPU ([0-9.]+) % of one core.*?(\d+) heartbeats taken, (\S+) µs of CPU per heartbeat; (load .*)$/m;

export interface IdleFloorPlan {
  agents: number;
  beatMs: number;
  keepaliveS: number;
  windowMs: number;
}

/** Runs bare aedes at the idle row's rate; `ours` is that row, whose figure it is set against. */
export async function idleFloorRow(plan: IdleFloorPlan, ours: BenchRow): Promise<BenchRow> {
  const out = await runAedesIdle(plan);
  const match = FLOOR_LINE.exec(out);
  if (match === null) throw new Error(`bench/aedes-idle.ts printed no figure: ${out.slice(-500)}`);
  const [, percent, taken, perBeat, load] = match;
  return {
    name: `server idle CPU, ${plan.agents.toLocaleString('en-US')} agents, against bare aedes at the same packet rate`,
    ours: ours.ours,
    reference: 'bare aedes, same packets (this run)',
    referenceValue: Number(percent),
    unit: '%',
    note:
      `ours: the "${ours.name}" row above; bare aedes: ${plan.agents} mqtt.js clients in two processes (clean: false, QoS 1, ` +
      `a 700-byte heartbeat every ${plan.beatMs / 1000} s spread evenly, keepalive ${plan.keepaliveS} s), ` +
      `measured over ${plan.windowMs / 1000} s after the fleet closed: ${taken} heartbeats, ${perBeat} µs of CPU each; ${load}`,
  };
}

function runAedesIdle(plan: IdleFloorPlan): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', AEDES_IDLE], {
      env: {
        ...process.env,
        AGENTS: String(plan.agents),
        BEAT_MS: String(plan.beatMs),
        KEEPALIVE_S: String(plan.keepaliveS),
        WINDOW_MS: String(plan.windowMs),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bench/aedes-idle.ts exited ${code}: ${out.slice(-500)}`)),
    );
  });
}
