import type { CommandRecord, LiveEvent } from '../../protocol/api.js';

/**
 * The JSON text of each command record, made once while it is news. A command record is
 * immutable once made (the store hands out shared records: a change is a new record), and the
 * same record is written twice as JSON within a few milliseconds: as its line in the store's
 * command log, and as a `command` event on each live stream following its action (they send
 * every 50 ms). At 1,000 agents that was 2,000 more JSON.stringify calls per fan-out round (the
 * launch and the result of each command), the largest piece of the server's own code in the
 * round's profile.
 *
 * Only recent texts are kept: the whole table is forgotten about a second after its first
 * entry, so the store's records (kept for as long as the server runs) never carry a copy of
 * themselves as text. A text needed after that is simply made again.
 */
const KEEP_MS = 1000;
let texts = new WeakMap<CommandRecord, string>();
let forgetTimer: ReturnType<typeof setTimeout> | undefined;

export function commandJson(command: CommandRecord): string {
  let text = texts.get(command);
  if (text === undefined) {
    text = JSON.stringify(command);
    texts.set(command, text);
    forgetTimer ??= setTimeout(forgetTexts, KEEP_MS).unref();
  }
  return text;
}

/** Whether commandJson() holds this record's text now (for tests). */
export function hasCommandJson(command: CommandRecord): boolean {
  return texts.has(command);
}

function forgetTexts(): void {
  texts = new WeakMap();
  forgetTimer = undefined;
}

/** JSON.stringify(event), the same text, reusing a command record's text (commandJson). */
export function liveEventJson(event: LiveEvent): string {
  // Keys in the order JSON.stringify would write them for `{ type, command }` (emitAll).
  if (event.type === 'command') return `{"type":"command","command":${commandJson(event.command)}}`;
  return JSON.stringify(event);
}
