import { posix } from 'node:path';
import type { z } from 'zod';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { compileLineRegex } from '../shared/search/regex.js';
import { listPids, nameCandidates } from '../shared/proc.js';
import { readProc, type ProcInfo } from './proc.js';
import type { processParams, processRow } from './spec.js';

type Params = z.output<typeof processParams>;
type Row = z.output<typeof processRow>;

/**
 * Signals the processes named by pid or matched by name, one row each, every row journaled.
 * A pid is re-read right before its signal: if its start time changed, the pid now belongs to
 * another process and nothing is sent (Node has no pidfd to close that window entirely).
 */
export const runProcess: ModuleRun<Params, Row> = async function* (params, ctx) {
  const procDir = posix.join(ctx.root, 'proc');
  const targets = await findTargets(params, procDir, ctx);
  for (const [pid, info] of targets) {
    if (ctx.signal.aborted) return;
    const row = await signalOne(pid, info, params, procDir);
    ctx.journal?.({ op: 'signal', ...row });
    ctx.count(row.isKilled ? 'signalled' : row.error === undefined ? 'wouldSignal' : 'notSignalled');
    yield row;
  }
};

/** Explicit pids first, in the order given, then name matches by ascending pid; each process once. */
async function findTargets(
  params: Params,
  procDir: string,
  ctx: ModuleContext,
): Promise<Map<number, ProcInfo | undefined>> {
  const targets = new Map<number, ProcInfo | undefined>();
  for (const pid of params.pids ?? []) {
    if (!targets.has(pid)) targets.set(pid, await readProc(procDir, pid));
  }
  const regexes = (params.names ?? []).map((source) => compileLineRegex(source));
  if (regexes.length === 0) return targets;
  for (const pid of await listPids(procDir)) {
    if (ctx.signal.aborted) break;
    if (targets.has(pid)) continue;
    const info = await readProc(procDir, pid);
    ctx.count('processesRead');
    // Kernel threads and zombies have no argv: signals do nothing to them, so they are not matched.
    if (info === undefined || info.argv0 === '') continue;
    const candidates = nameCandidates(info);
    if (regexes.some((re) => candidates.some((name) => re.test(name)))) targets.set(pid, info);
  }
  return targets;
}

/** Why this pid is never signalled, whatever the action says. */
function refusal(pid: number): string | undefined {
  if (pid === 1) return 'refused: pid 1 (init) is never signalled, it would take the host down';
  if (pid === process.pid) return 'refused: this is the agent itself';
  return undefined;
}

async function signalOne(pid: number, info: ProcInfo | undefined, params: Params, procDir: string): Promise<Row> {
  const base = { pid, name: info?.comm ?? '', signal: params.signal, isKilled: false, isDryRun: params.dryrun };
  if (info === undefined) return { ...base, error: 'no such process' };
  const refused = refusal(pid);
  if (refused !== undefined) return { ...base, error: refused };
  if (params.dryrun) return base;
  const current = await readProc(procDir, pid);
  if (current === undefined || current.startTime !== info.startTime)
    return { ...base, error: 'the process exited before the signal was sent' };
  try {
    process.kill(pid, `SIG${params.signal}`);
    return { ...base, isKilled: true };
  } catch (err) {
    return { ...base, error: killProblem(err) };
  }
}

function killProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ESRCH') return 'no such process (it exited)';
  if (code === 'EPERM') return 'not permitted: the agent may not signal this process';
  return `kill failed: ${err instanceof Error ? err.message : String(err)}`;
}
