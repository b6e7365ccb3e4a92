import { z } from 'zod';
import { EXIT, type CliContext } from './context.js';
import { parseCommand } from './subcommand.js';

/** `-render`: every read-only command prints a table for people or the server's JSON for scripts. */
export const OutputFlag = z.enum(['text', 'json']).default('text').describe('text for people, json for scripts');

/**
 * A listing command with no argument and only `-render`: asks the server with `load`, prints its
 * answer (or the part `json` picks) as it is for json, or hands it to `printText`.
 */
export async function runListing<T>(
  ctx: CliContext,
  argv: readonly string[],
  command: { usage: string; summary: string },
  load: () => Promise<T>,
  printText: (answer: T) => void,
  json: (answer: T) => unknown = (answer) => answer,
): Promise<number> {
  const cmd = parseCommand(ctx, command.usage, command.summary, z.object({ render: OutputFlag }), {}, argv);
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  const answer = await load();
  if (cmd.values.render === 'json') ctx.stdout.write(`${JSON.stringify(json(answer), null, 2)}\n`);
  else printText(answer);
  return EXIT.ok;
}
