import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import type { ActionRecord, CommandRecord, LiveEvent } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import type { AnswerTally, Renderer } from '../render/renderer.js';
import { isIncomplete, verdict } from '../render/tally.js';
import type { ApiClient } from '../services/api-client.js';
import { followEvents, sleep } from '../services/events.js';
import { EXIT, type CliContext } from './context.js';
import type { Progress } from './progress.js';

/** Action statuses after which nothing changes any more. */
export const TERMINAL_ACTION_STATUSES: ReadonlySet<string> = new Set(['completed', 'expired', 'cancelled', 'invalid']);
const PAGE_SIZE = 500;
const MAX_POLL_FAILURES = 5;
/** How long past expireAfter we wait for the server to close the action before giving up on it. */
const EXPIRY_GRACE_MS = 60_000;

export interface FollowOptions {
  client: ApiClient;
  initial: ActionRecord;
  renderer: Renderer;
  progress: Progress;
  /** Fallback polling interval; live events usually make it irrelevant. */
  pollMs: number;
}

export interface FollowResult {
  record: ActionRecord;
  isInterrupted: boolean;
  /** Distinct commands that said found, counted here (the server's counter may lag). */
  foundCommands: number;
}

function rank(r: ActionRecord): number[] {
  return [TERMINAL_ACTION_STATUSES.has(r.status) ? 1 : 0, r.counters.done, r.counters.sent];
}

/** Events and polls race each other: keep the record that is furthest along. */
function isAtLeastAsNew(candidate: ActionRecord, current: ActionRecord): boolean {
  const a = rank(candidate);
  const b = rank(current);
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** State of one followed action, fed by live events and by polls alike. */
class Follower {
  record: ActionRecord;
  found = 0;
  private readonly printed = new Set<string>();
  /** Aborted to cut a poll interval short when an event says the action is over. */
  private wake = new AbortController();
  private isEventsNoted = false;

  constructor(
    private readonly ctx: CliContext,
    private readonly opts: FollowOptions,
  ) {
    this.record = opts.initial;
  }

  get id(): string {
    return this.opts.initial.action.id;
  }

  onAction = (next: ActionRecord): void => {
    if (next.action.id !== this.id || !isAtLeastAsNew(next, this.record)) return;
    this.record = next;
    this.opts.progress.update(next.counters);
    if (TERMINAL_ACTION_STATUSES.has(next.status)) this.wake.abort();
  };

  onCommand = (cmd: CommandRecord): void => {
    if (cmd.actionId !== this.id || !TERMINAL_COMMAND_STATUSES.has(cmd.status) || this.printed.has(cmd.id)) return;
    this.printed.add(cmd.id);
    if (cmd.isFound === true) this.found++;
    this.opts.progress.clear();
    this.opts.renderer.command(cmd);
    this.opts.progress.redraw();
  };

  streamEvents(signal: AbortSignal): Promise<void> {
    return followEvents({
      client: this.opts.client,
      actionId: this.id,
      signal: AbortSignal.any([signal, this.ctx.interrupt]),
      onEvent: (e: LiveEvent) => {
        if (e.type === 'action') this.onAction(e.action);
        else if (e.type === 'command') this.onCommand(e.command);
      },
      onError: (err) => {
        if (this.isEventsNoted) return;
        this.isEventsNoted = true;
        this.opts.progress.clear();
        this.ctx.say(`live events unavailable (${err.message}); polling every ${this.opts.pollMs} ms`);
        this.opts.progress.redraw();
      },
    });
  }

  /** One poll: the action, then its commands when some finished that we have not printed. */
  private async poll(): Promise<void> {
    this.onAction(await this.opts.client.getAction(this.id));
    if (TERMINAL_ACTION_STATUSES.has(this.record.status) || this.printed.size < this.record.counters.done) {
      await listCommands(this.opts.client, this.id, this.onCommand);
    }
  }

  /** Polls until the action is over, ctrl+c, or the server keeps an expired action open too long. */
  async pollUntilDone(): Promise<void> {
    let failures = 0;
    const deadlineMs = Date.parse(this.record.action.expireAfter) + EXPIRY_GRACE_MS;
    while (!this.ctx.interrupt.aborted) {
      try {
        await this.poll();
        failures = 0;
      } catch (err) {
        if (this.ctx.interrupt.aborted) return;
        // A server hiccup is retried at the next interval; a persistent failure is reported.
        if (++failures >= MAX_POLL_FAILURES || !(err instanceof UserError)) throw err;
      }
      if (TERMINAL_ACTION_STATUSES.has(this.record.status)) return;
      if (this.ctx.now().getTime() > deadlineMs) {
        this.ctx.say(`the server has not closed action ${this.id} a minute after it expired; stopping here`);
        return;
      }
      this.wake = new AbortController();
      await sleep(this.opts.pollMs, AbortSignal.any([this.ctx.interrupt, this.wake.signal]));
    }
  }
}

/**
 * Follows a launched action to its end: live events (SSE) for speed, and polling as the
 * fallback that makes the result complete even if events were missed. Each terminal command is
 * printed once, as it arrives. On ctrl+c the action is cancelled on the server.
 */
export async function followAction(ctx: CliContext, opts: FollowOptions): Promise<FollowResult> {
  const follower = new Follower(ctx, opts);
  const stopEvents = new AbortController();
  const events = follower.streamEvents(stopEvents.signal);
  try {
    await follower.pollUntilDone();
  } finally {
    stopEvents.abort();
    await events;
  }
  let record = follower.record;
  if (ctx.interrupt.aborted) record = await cancelAfterInterrupt(ctx, record);
  return { record, isInterrupted: ctx.interrupt.aborted, foundCommands: follower.found };
}

async function listCommands(client: ApiClient, id: string, onCommand: (cmd: CommandRecord) => void): Promise<void> {
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await client.listCommands(id, { limit: PAGE_SIZE, offset });
    page.commands.forEach(onCommand);
    if (page.commands.length < PAGE_SIZE || offset + PAGE_SIZE >= page.total) return;
  }
}

/** ctrl+c while an action runs: cancel it with a client that the interrupt does not abort. */
async function cancelAfterInterrupt(ctx: CliContext, record: ActionRecord): Promise<ActionRecord> {
  try {
    const client = await ctx.client({ isInterruptible: false });
    const cancelled = await client.cancelAction(record.action.id);
    ctx.say(`cancelled action ${record.action.id}`);
    return cancelled;
  } catch (err) {
    ctx.say(`could not cancel action ${record.action.id}: ${(err as Error).message}`);
    return record;
  }
}

/** Commands that ended without an answer, by the server's counters (the renderer may not have seen them all). */
function unansweredOf(record: ActionRecord): number {
  const c = record.counters;
  return c.failed + c.timeout + c.expired + c.cancelled + Math.max(0, c.targeted - c.done);
}

/** The tally as the truth stands once the action is over: the server's counters fill in what no command showed. */
function settled(record: ActionRecord, tally: AnswerTally): AnswerTally {
  return {
    ...tally,
    found: Math.max(tally.found, record.counters.found),
    unanswered: Math.max(tally.unanswered, unansweredOf(record)),
  };
}

/** 0 found, 3 nothing found but incomplete, 1 nothing found (after interrupted and invalid are handled). */
export function huntExit(record: ActionRecord, tally: AnswerTally): number {
  const final = settled(record, tally);
  if (final.found > 0) return EXIT.found;
  return isIncomplete(final) ? EXIT.incomplete : EXIT.notFound;
}

/** `12 agents targeted · 10 answered · 3 found · 1 failed · 1 expired · 4.2s — found on 3 agents, 2 agents did not answer` */
export function summaryLine(record: ActionRecord, tally: AnswerTally, elapsedMs?: number): string {
  const c = record.counters;
  const final = settled(record, tally);
  const parts = [
    `${c.targeted} agent${c.targeted === 1 ? '' : 's'} targeted`,
    `${c.success + c.failed} answered`,
    `${final.found} found`,
    `${c.failed + c.timeout} failed`,
    `${c.expired} expired`,
  ];
  if (c.cancelled > 0) parts.push(`${c.cancelled} cancelled`);
  if (tally.warnings > 0) parts.push(`${tally.warnings} warning${tally.warnings === 1 ? '' : 's'}`);
  if (elapsedMs !== undefined) parts.push(`${(elapsedMs / 1000).toFixed(1)}s`);
  const status =
    record.status === 'completed'
      ? ''
      : ` (action ${record.status}${record.reason === undefined ? '' : `: ${record.reason}`})`;
  return `${parts.join(' · ')}${status} — ${verdict(final)}`;
}
