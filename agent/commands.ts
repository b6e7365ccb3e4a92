import { toWireError, type WireError } from '../protocol/errors.js';
import { CommandIdSchema, type CommandMessage, type ResultMessage } from '../protocol/messages.js';
import type { RunningEntry, RunningJournal } from './journal/running-journal.js';
import type { Limiter } from './limiter.js';
import type { LogFn } from './log.js';
import { resultMessage, type AnswerSigner, type ResultInput } from './outbox.js';
import { runCommand, type RunCommandOptions } from './runner.js';
import { MAX_ENVELOPE_BYTES, parseEnvelope } from './verify/parse-envelope.js';
import { replayHorizon } from './verify/check-freshness.js';
import {
  acceptCommandMessage,
  verifyCommandAction,
  type AcceptDeps,
  type AcceptedAction,
  type AcceptTrace,
} from './verify/pipeline.js';

/** Command ids answered recently, remembered to ignore a QoS 1 redelivery of the same command. */
const RECENT_COMMANDS = 1000;

/** What the handler needs of the answer journal (agent/journal/answer-journal.ts). */
export interface AnswerStore {
  /** The action whose answer to this command is kept; undefined if none is. */
  actionIdOf(commandId: string): string | undefined;
  /** Keeps a result naming its action until `until`; never throws (false: not kept). */
  keep(result: ResultMessage, until: Date): boolean;
  /** The kept answer, read back and checked; undefined if missing or damaged. */
  read(commandId: string): ResultMessage | undefined;
}

export interface CommandHandlerDeps {
  accept: AcceptDeps;
  running: RunningJournal;
  /** Results of accepted commands, published again when the server sends such a command again. */
  answers: AnswerStore;
  limiter: Limiter;
  run: Omit<RunCommandOptions, 'signal' | 'onRow' | 'onResult'>;
  publishResult(message: ResultMessage): Promise<void>;
  /** Signs every result with the agent's key (agent/agent-key.ts); absent: answers go unsigned. */
  signer?: AnswerSigner;
  now(): Date;
  log: LogFn;
  /** Where response modules record what they changed; absent: nothing is kept. */
  responseJournal?: { append(entry: Record<string, unknown>): void };
  /** This agent, for modules that act on it (agentdestroy); absent: they refuse. */
  self?: { agentId: string; stateFiles(): readonly string[] };
  /** Called, not awaited, once a command that asked the agent to destroy itself has been answered. */
  onDestroyRequested?(): void;
  /** A policy bundle's text arrived on the commands topic (agent/policy/policy-keeper.ts); absent: ignored. */
  onPolicy?(bundleText: string): void;
}

/**
 * What happens to each payload on our commands topic: cancel, or verify → run → answer. Every
 * command the envelope lets us name gets exactly one result (a refusal is a `failed` result with
 * the step's code); an accepted command is in the running journal until the broker took its result.
 */
export class CommandHandler {
  private readonly inflight = new Map<string, AbortController>();
  private readonly recent: string[] = [];
  private readonly tasks = new Set<Promise<void>>();
  private isClosing = false;

  constructor(private readonly deps: CommandHandlerDeps) {}

  /** Fire and forget: errors end up in a result or the log, never as an unhandled rejection. */
  handle(payload: Uint8Array): void {
    let message;
    try {
      message = parseEnvelope(payload);
    } catch (err) {
      const commandId = salvageCommandId(payload);
      this.deps.log(
        'warn',
        `refused a malformed command message${commandId ? ` (${commandId})` : ''}: ${(err as Error).message}`,
      );
      if (commandId !== undefined && !this.isKnown(commandId))
        this.track(commandId, this.refuse(commandId, {}, err, this.deps.now()));
      return;
    }
    if (message.kind === 'cancel') return this.cancel(message.commandId);
    if (message.kind === 'policy') return this.deps.onPolicy?.(message.bundle);
    // Still being handled: its one answer is on its way.
    if (this.inflight.has(message.commandId))
      return this.deps.log('info', `command ${message.commandId}: duplicate delivery ignored`);
    // Before `recent`: a server that restarted sends again what it has no answer for, to this same process too.
    const answeredActionId = this.deps.answers.actionIdOf(message.commandId);
    if (answeredActionId !== undefined)
      return this.track(message.commandId, this.answerAgain(message, answeredActionId));
    if (this.recent.includes(message.commandId))
      return this.deps.log('info', `command ${message.commandId}: duplicate delivery ignored`);
    if (this.isClosing) {
      const error = { code: 'MODULE_CANCELLED', message: 'the agent is shutting down; send the command again later' };
      const now = this.deps.now();
      this.track(
        message.commandId,
        this.answer({
          commandId: message.commandId,
          status: 'cancelled',
          error,
          operations: [],
          startedAt: now,
          finishedAt: now,
        }),
      );
      return;
    }
    this.track(message.commandId, this.execute(message));
  }

  cancel(commandId: string): void {
    const controller = this.inflight.get(commandId);
    if (controller === undefined)
      return this.deps.log('info', `cancel for command ${commandId}, which is not running here`);
    this.deps.log('info', `command ${commandId}: cancelling`);
    controller.abort();
  }

  /**
   * Answers commands a previous process left unanswered: with the answer it kept if it got that
   * far (it died before the broker took it), else failed, AGENT_RESTARTED; never re-run.
   */
  async reportLeftovers(entries: readonly RunningEntry[]): Promise<void> {
    for (const entry of entries) {
      if (this.isKnown(entry.commandId)) continue;
      const kept = this.deps.answers.read(entry.commandId);
      if (kept !== undefined) {
        this.track(entry.commandId, this.publish(kept));
        continue;
      }
      const error = {
        code: 'AGENT_RESTARTED',
        message: 'the agent restarted while this command was being handled; it was not run again',
      };
      const input = {
        commandId: entry.commandId,
        actionId: entry.actionId,
        status: 'failed' as const,
        error,
        operations: [],
      };
      const keepUntil = entry.actionId === undefined ? undefined : this.deps.accept.replay.horizonOf?.(entry.actionId);
      this.track(
        entry.commandId,
        this.answer({ ...input, startedAt: new Date(entry.receivedAt), finishedAt: this.deps.now() }, keepUntil),
      );
    }
    await this.settled();
  }

  /** Cancels everything still running and waits for the answers to be handed to the session. */
  async close(): Promise<void> {
    this.isClosing = true;
    for (const controller of this.inflight.values()) controller.abort();
    await this.settled();
  }

  async settled(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  private async execute(message: CommandMessage): Promise<void> {
    const { commandId } = message;
    const receivedAt = this.deps.now();
    const controller = new AbortController();
    this.inflight.set(commandId, controller);
    const trace: AcceptTrace = {};
    let accepted;
    try {
      accepted = await acceptCommandMessage(message, this.deps.accept, trace);
      // Journaled once accepted: a crash from here on is reported at restart, never lost or re-run.
      // Not also at receipt: rewriting the entry (rename over an existing file) made ext4 flush
      // and cost ~1 ms of blocked event loop per command; verification itself takes about as long.
      this.deps.running.begin({ commandId, actionId: accepted.action.id, receivedAt: receivedAt.toISOString() });
    } catch (err) {
      return this.refuse(commandId, trace, err, receivedAt);
    }
    const { action } = accepted;
    this.deps.log(
      'info',
      `command ${commandId}: running action ${action.id} (${action.operations.map((o) => o.module).join(', ')}) signed by ${accepted.signers.join(', ')}`,
    );
    let isDestroyRequested = false;
    const extras = this.commandExtras(accepted, () => (isDestroyRequested = true));
    const outcome = await this.deps.limiter.run(() =>
      runCommand(accepted.operations, { ...this.deps.run, ...extras, signal: controller.signal }),
    );
    const keepUntil = replayHorizon(action, this.deps.accept.maxClockSkewMs);
    await this.answer(
      { commandId, actionId: action.id, ...outcome, startedAt: receivedAt, finishedAt: this.deps.now() },
      keepUntil,
    );
    // Only now: the result (what was destroyed, on whose signatures) must leave before the agent goes.
    if (isDestroyRequested) this.deps.onDestroyRequested?.();
  }

  /** The response journal and agent handle of one accepted command. */
  private commandExtras(
    accepted: AcceptedAction,
    requestDestroy: () => void,
  ): Pick<RunCommandOptions, 'journal' | 'agent'> {
    const { responseJournal, self } = this.deps;
    const extras: Pick<RunCommandOptions, 'journal' | 'agent'> = {};
    if (responseJournal !== undefined) {
      const about = {
        commandId: accepted.commandId,
        actionId: accepted.action.id,
        actionName: accepted.action.name,
        signers: accepted.signers,
      };
      extras.journal = (entry) => responseJournal.append({ at: this.deps.now().toISOString(), ...about, ...entry });
    }
    if (self !== undefined) extras.agent = { id: self.agentId, stateFiles: () => self.stateFiles(), requestDestroy };
    return extras;
  }

  private async refuse(commandId: string, trace: AcceptTrace, err: unknown, receivedAt: Date): Promise<void> {
    const error: WireError = toWireError(err);
    this.deps.log('warn', `command ${commandId}: refused ${error.code}: ${error.message}`);
    await this.answer({
      commandId,
      actionId: trace.actionId,
      status: 'failed',
      error,
      operations: [],
      startedAt: receivedAt,
      finishedAt: this.deps.now(),
    });
  }

  /**
   * A command we answered, sent again: the server lost our answer (it died after the broker took
   * it, or was not subscribed yet). The bytes must still verify, up to but not including the
   * replay check; then the kept result goes out again, unchanged. Another action under this
   * command id, or an answer that cannot be read back, takes the normal path: there the replay
   * check has the last word (REPLAYED, never a second run).
   */
  private async answerAgain(message: CommandMessage, answeredActionId: string): Promise<void> {
    const { commandId } = message;
    const receivedAt = this.deps.now();
    const trace: AcceptTrace = {};
    let actionId: string;
    try {
      actionId = (await verifyCommandAction(message, this.deps.accept, trace)).action.id;
    } catch (err) {
      return this.refuse(commandId, trace, err, receivedAt);
    }
    const kept = actionId === answeredActionId ? this.deps.answers.read(commandId) : undefined;
    if (kept === undefined) return this.execute(message);
    this.deps.log(
      'info',
      `command ${commandId}: answered before (action ${actionId}); publishing the same result again`,
    );
    await this.publish(kept);
  }

  /**
   * Keeps the result if asked (before publishing: the broker taking it does not mean the server
   * stored it), then publishes it.
   */
  private async answer(input: ResultInput, keepUntil?: Date): Promise<void> {
    const message = resultMessage(input, this.deps.signer);
    if (keepUntil !== undefined) this.deps.answers.keep(message, keepUntil);
    await this.publish(message);
  }

  /** Publishes the result, then forgets the command; if publishing fails it stays journaled. */
  private async publish(message: ResultMessage): Promise<void> {
    try {
      await this.deps.publishResult(message);
      this.deps.running.end(message.commandId);
    } catch (err) {
      this.deps.log(
        'error',
        `command ${message.commandId}: result not delivered (${(err as Error).message}); it will be reported at restart`,
      );
    }
  }

  private track(commandId: string, task: Promise<void>): void {
    const tracked = task
      .catch((err: unknown) => this.deps.log('error', `command ${commandId}: ${(err as Error).message}`))
      .finally(() => {
        this.tasks.delete(tracked);
        this.inflight.delete(commandId);
        this.recent.push(commandId);
        if (this.recent.length > RECENT_COMMANDS) this.recent.shift();
      });
    this.tasks.add(tracked);
  }

  private isKnown(commandId: string): boolean {
    return this.inflight.has(commandId) || this.recent.includes(commandId);
  }
}

/** Best effort: the command id of an envelope that failed its schema, so the refusal can be answered. */
function salvageCommandId(payload: Uint8Array): string | undefined {
  if (payload.byteLength > MAX_ENVELOPE_BYTES) return undefined;
  try {
    const raw: unknown = JSON.parse(Buffer.from(payload).toString('utf8'));
    const id = typeof raw === 'object' && raw !== null ? (raw as { commandId?: unknown }).commandId : undefined;
    return CommandIdSchema.safeParse(id).success ? (id as string) : undefined;
  } catch {
    return undefined;
  }
}
