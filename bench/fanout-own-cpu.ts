// The fan-out benchmark's server CPU with no bench code beside it: the server in its own process
// (`node bin/mig.js server`, bench/fanout-server-process.ts), its CPU per round read from
// /proc/PID/stat. The in-process rows' "server" CPU also holds the bench's API client and the
// reader of the event stream that decides when a round is done.
import type { Fleet } from './fanout-setup.js';
import { GOAL_CPU_PER_COMMAND_MS, median, phases, type Round } from './fanout-rows.js';
import type { BenchRow } from './types.js';

/** /proc/PID/stat counts CPU in clock ticks (10 ms here): a round of ~300 ms reads within ±3 %. */
export function ownProcessCpuRow(
  fleet: Fleet,
  rounds: readonly Round[],
  opts: { warmup: number; loadAvg: number; loadEnd: number },
): BenchRow {
  const server = fleet.serverProcess;
  if (server === undefined) throw new Error('ownProcessCpuRow: the fleet has no server process');
  const label = fleet.size.toLocaleString('en-US');
  const perCommand = rounds.map((r) => r.serverCpuMs / fleet.size);
  return {
    name: `server CPU per agent-command, own process, ${label} simulated agents`,
    ours: median(perCommand),
    reference: 'goal (issue 12)',
    referenceValue: GOAL_CPU_PER_COMMAND_MS,
    unit: 'ms',
    note: [
      `\`${server.nodeOptions === '' ? '' : `node ${server.nodeOptions} `}bin/mig.js server\` in its own process (${server.fromDist ? 'compiled dist/' : 'sources through tsx: dist/ was stale, run npm run build'}), CPU from /proc/PID/stat`,
      `${fleet.verify === 'full' ? 'every agent verifies every signature' : 'one signature verification per agent process for identical action bytes'}; answers ${fleet.signAnswers ? 'signed' : 'unsigned'}`,
      `median of ${rounds.length} rounds after ${opts.warmup} unmeasured [${perCommand.map((c) => c.toFixed(3)).join(', ')}]`,
      `launch → last result median ${median(rounds.map((r) => r.ms)).toFixed(0)} ms; ${phases(rounds)}`,
      'no bench code in that process',
      `load average ${opts.loadAvg.toFixed(1)} at the start, ${opts.loadEnd.toFixed(1)} at the end`,
    ].join('; '),
  };
}
