import { toWireError } from '../protocol/errors.js';
import type { CommandMessage } from '../protocol/messages.js';
import { keptAnswer, signAnswer, type AnswerDeps } from './command/answer.js';
import { publishAnswer, type PublishDeps } from './command/publish.js';
import { runAccepted, type RunDeps } from './command/run-step.js';
import { CommandTracker } from './command/tracker.js';
import type { RunningEntry } from './journal/running-journal.js';
import type { LogFn } from './log.js';
import type { ResultInput } from './outbox.js';
import { replayHorizon } from './verify/check-freshness.js';
import { readEnvelope } from './verify/parse-envelope.js';
import { acceptVerified, verifyCommandAction, type AcceptDeps, type AcceptTrace } from './verify/pipeline.js';

export type { AnswerStore } from './command/answer.js';

export interface CommandHandlerDeps extends RunDeps, AnswerDeps, PublishDeps {
  accept: AcceptDeps;
  /** The running journal: ends commands accepted and not yet answered (marked by the replay journal). */
  running: PublishDeps['running'];
  now(): Date;
  log: LogFn;
  /** Called, not awaited, once a command that asked the agent to destroy itself has been answered. */
  onDestroyRequested?(): void;
  /** A policy bundle's text arrived on the commands topic (agent/policy/policy-keeper.ts); absent: ignored. */
  onPolicy?(bundleText: string): void;
}

/**
 * What happens to each payload on our commands topic, in one forward pipeline:
 *
 *   receive → parse once → verify → journal → run → sign the answer → publish
 *
 * Each step lives in its own file (verify/, command/); this file only says the order. Every
 * command the envelope lets us name gets exactly one result (a refusal is a `failed` result
 * with the step's code); an accepted command is in the running journal until the broker took
 * its result. No step writes to disk synchronously: each awaits its journal write instead.
 */
export class CommandHandler {
  private readonly tracker: CommandTracker;
  private isClosing = false;

  constructor(private readonly deps: CommandHandlerDeps) {
    this.tracker = new CommandTracker((commandId, err) =>
      deps.log('error', `command ${commandId}: ${(err as Error).message}`),
    );
  }

  /** Receive: fire and forget; errors end up in a result or the log, never as an unhandled rejection. */
  handle(payload: Uint8Array): void {
    const receivedAt = this.deps.now();
    // Parse once: the envelope's JSON, its schema, and on failure the command id to answer.
    const envelope = readEnvelope(payload);
    if ('error' in envelope) {
      const { error, commandId } = envelope;
      this.deps.log(
        'warn',
        `refused a malformed command message${commandId ? ` (${commandId})` : ''}: ${error.message}`,
      );
      if (commandId !== undefined && !this.tracker.isKnown(commandId))
        this.tracker.track(commandId, () => this.refuse(commandId, {}, error, receivedAt));
      return;
    }
    const { message } = envelope;
    if (message.kind === 'cancel') return this.cancel(message.commandId);
    if (message.kind === 'policy') return this.deps.onPolicy?.(message.bundle);
    const { commandId } = message;
    // An answer we kept wins: a server that restarted sends again what it has no answer for, to
    // this same process too, maybe before we saw the broker take it; process() then decides
    // whether these bytes get that answer. Otherwise a command still being handled (its one
    // answer is on its way) or handled lately is a QoS 1 redelivery.
    if (this.deps.answers.actionIdOf(commandId) === undefined && this.tracker.isKnown(commandId))
      return this.deps.log('info', `command ${commandId}: duplicate delivery ignored`);
    if (this.isClosing) {
      const error = { code: 'MODULE_CANCELLED', message: 'the agent is shutting down; send the command again later' };
      this.tracker.track(commandId, () =>
        this.answer({
          commandId,
          status: 'cancelled',
          error,
          operations: [],
          startedAt: receivedAt,
          finishedAt: receivedAt,
        }),
      );
      return;
    }
    this.tracker.track(commandId, (signal) => this.process(message, receivedAt, signal));
  }

  private async process(message: CommandMessage, receivedAt: Date, signal: AbortSignal): Promise<void> {
    const { commandId } = message;
    const { accept } = this.deps;
    const trace: AcceptTrace = {};
    let accepted;
    try {
      // Verify: action shape, signatures, validity window, over the bytes that arrived.
      const verified = await verifyCommandAction(message, accept, trace);
      // Answered before, this very action: the server lost our answer. The same answer again, nothing runs.
      const kept = await keptAnswer(commandId, verified.action.id, this.deps.answers);
      if (kept !== undefined) {
        this.deps.log(
          'info',
          `command ${commandId}: answered before (action ${verified.action.id}); publishing the same result again`,
        );
        return await publishAnswer(kept, this.deps);
      }
      // Verify, the rest: replay, ACL, target, parameters; resolves once the id is in the replay
      // journal, on a line that also marks this command running: a crash from here on is reported
      // at restart, never lost or re-run. Not also at receipt: that would write twice per command
      // for a window in which nothing has run yet.
      accepted = await acceptVerified(message, verified, accept, receivedAt);
    } catch (err) {
      return this.refuse(commandId, trace, err, receivedAt);
    }
    const { action } = accepted;
    this.deps.log(
      'info',
      `command ${commandId}: running action ${action.id} (${action.operations.map((o) => o.module).join(', ')}) signed by ${accepted.signers.join(', ')}`,
    );
    // Run, in the module workers.
    const { outcome, isDestroyRequested } = await runAccepted(accepted, this.deps, signal);
    // Sign the answer, kept (on disk) until no copy of the action could be accepted any more; then publish.
    const result = { commandId, actionId: action.id, ...outcome, startedAt: receivedAt, finishedAt: this.deps.now() };
    await this.answer(result, replayHorizon(action, accept.maxClockSkewMs));
    // Only now: the result (what was destroyed, on whose signatures) must leave before the agent goes.
    if (isDestroyRequested) this.deps.onDestroyRequested?.();
  }

  cancel(commandId: string): void {
    if (!this.tracker.cancel(commandId))
      return this.deps.log('info', `cancel for command ${commandId}, which is not running here`);
    this.deps.log('info', `command ${commandId}: cancelling`);
  }

  /**
   * Answers commands a previous process left unanswered: with the answer it kept if it got that
   * far (it died before the broker took it), else failed, AGENT_RESTARTED; never re-run.
   */
  async reportLeftovers(entries: readonly RunningEntry[]): Promise<void> {
    for (const entry of entries) {
      if (this.tracker.isKnown(entry.commandId)) continue;
      this.tracker.track(entry.commandId, async () => {
        const kept = await this.deps.answers.read(entry.commandId);
        if (kept !== undefined) return publishAnswer(kept, this.deps);
        const error = {
          code: 'AGENT_RESTARTED',
          message: 'the agent restarted while this command was being handled; it was not run again',
        };
        const { commandId, actionId } = entry;
        const keepUntil = actionId === undefined ? undefined : this.deps.accept.replay.horizonOf?.(actionId);
        const startedAt = new Date(entry.receivedAt);
        const input = { commandId, actionId, status: 'failed' as const, error, operations: [], startedAt };
        await this.answer({ ...input, finishedAt: this.deps.now() }, keepUntil);
      });
    }
    await this.tracker.settled();
  }

  /** Cancels everything still running and waits for the answers to be handed to the session. */
  async close(): Promise<void> {
    this.isClosing = true;
    this.tracker.cancelAll();
    await this.tracker.settled();
  }

  async settled(): Promise<void> {
    await this.tracker.settled();
  }

  private async refuse(commandId: string, trace: AcceptTrace, err: unknown, receivedAt: Date): Promise<void> {
    const error = toWireError(err);
    this.deps.log('warn', `command ${commandId}: refused ${error.code}: ${error.message}`);
    const finishedAt = this.deps.now();
    await this.answer({
      commandId,
      actionId: trace.actionId,
      status: 'failed',
      error,
      operations: [],
      startedAt: receivedAt,
      finishedAt,
    });
  }

  /** Sign the answer (kept until `keepUntil` if given), then publish it. */
  private async answer(input: ResultInput, keepUntil?: Date): Promise<void> {
    await publishAnswer(await signAnswer(input, this.deps, keepUntil), this.deps);
  }
}
