import type { Limiter } from '../limiter.js';
import { runCommand, type CommandOutcome, type RunCommandOptions } from '../runner.js';
import type { AcceptedAction } from '../verify/pipeline.js';

/** What running a command needs of the agent. */
export interface RunDeps {
  limiter: Limiter;
  run: Omit<RunCommandOptions, 'signal' | 'onRow' | 'onResult'>;
  now(): Date;
  /** Where response modules record what they changed; absent: nothing is kept. */
  responseJournal?: { append(entry: Record<string, unknown>): void; flushed(): Promise<void> };
  /** This agent, for modules that act on it (agentdestroy); absent: they refuse. */
  self?: { agentId: string; stateFiles(): readonly string[] };
}

export interface RunStepOutcome {
  outcome: CommandOutcome;
  /** A module (agentdestroy) asked the agent to destroy itself once this command is answered. */
  isDestroyRequested: boolean;
}

/**
 * Step 5: runs an accepted command's operations (in the module workers when the agent has a
 * pool: agent/runner.ts) under the agent's concurrency limit, then waits until every response
 * journal entry the command made is on disk, before anything answers it.
 */
export async function runAccepted(
  accepted: AcceptedAction,
  deps: RunDeps,
  signal: AbortSignal,
): Promise<RunStepOutcome> {
  let isDestroyRequested = false;
  const extras = commandExtras(accepted, deps, () => (isDestroyRequested = true));
  const outcome = await deps.limiter.run(() => runCommand(accepted.operations, { ...deps.run, ...extras, signal }));
  await deps.responseJournal?.flushed();
  return { outcome, isDestroyRequested };
}

/** The response journal and agent handle of one accepted command. */
function commandExtras(
  accepted: AcceptedAction,
  deps: RunDeps,
  requestDestroy: () => void,
): Pick<RunCommandOptions, 'journal' | 'agent'> {
  const { responseJournal, self } = deps;
  const extras: Pick<RunCommandOptions, 'journal' | 'agent'> = {};
  if (responseJournal !== undefined) {
    const about = {
      commandId: accepted.commandId,
      actionId: accepted.action.id,
      actionName: accepted.action.name,
      signers: accepted.signers,
    };
    extras.journal = (entry) => responseJournal.append({ at: deps.now().toISOString(), ...about, ...entry });
  }
  if (self !== undefined) extras.agent = { id: self.agentId, stateFiles: () => self.stateFiles(), requestDestroy };
  return extras;
}
