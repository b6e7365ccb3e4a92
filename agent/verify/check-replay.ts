import { VerificationError } from '../../protocol/errors.js';

/** The command an accepted action runs as, recorded with its id (agent/journal/replay-journal.ts). */
export interface RunningMark {
  commandId: string;
  /** ISO time the command arrived. */
  receivedAt: string;
}

/** What the pipeline needs of the replay journal (agent/journal/replay-journal.ts). */
export interface ReplayStore {
  has(actionId: string): boolean;
  /**
   * Records the id until `until`; rejects REPLAYED if it is already there. Check and record are
   * one step taken when called (before any await); the promise resolves once the id is on disk.
   * With `running`, the same line says that command is running (reported if the agent dies).
   */
  record(actionId: string, until: Date, running?: RunningMark): Promise<void>;
  /** Until when an accepted id is kept (its action's expireAfter plus skew); undefined if not kept. */
  horizonOf?(actionId: string): Date | undefined;
}

/** Step 4: an action runs at most once per agent, even across restarts (the journal is on disk). */
export function checkReplay(actionId: string, replay: ReplayStore): void {
  if (replay.has(actionId)) throw replayedError(actionId);
}

export function replayedError(actionId: string): VerificationError {
  return new VerificationError('REPLAYED', `action ${actionId} was already accepted by this agent`);
}
