import type { CommandRecord, LiveEvent } from '../../protocol/api.js';

/**
 * The JSON text of each command record, made once. A command record is immutable once made
 * (the store hands out shared records: a change is a new record), and the same record is
 * written twice as JSON: as its line in the store's command log and as a `command` event on
 * every live stream following its action. At 1,000 agents that was 2,000 more JSON.stringify
 * calls per round (a launch and a result per agent), a tenth of the server's own code in a
 * fan-out round's profile. Weakly held: a record nobody holds takes its text with it.
 */
const texts = new WeakMap<CommandRecord, string>();

export function commandJson(command: CommandRecord): string {
  let text = texts.get(command);
  if (text === undefined) {
    text = JSON.stringify(command);
    texts.set(command, text);
  }
  return text;
}

/** JSON.stringify(event), the same text, reusing a command record's text (commandJson). */
export function liveEventJson(event: LiveEvent): string {
  // Keys in the order JSON.stringify would write them for `{ type, command }` (emitAll).
  if (event.type === 'command') return `{"type":"command","command":${commandJson(event.command)}}`;
  return JSON.stringify(event);
}
