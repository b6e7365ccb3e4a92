import type { z } from 'zod';
import { UserError } from '../../protocol/errors.js';
import type { FlagHint } from '../../protocol/module-spec.js';
import { alignColumns, flagsHelp } from '../flags/help.js';
import { isHelpRequested, parseFlags } from '../flags/parse-flags.js';
import type { CliContext } from './context.js';

export interface ParsedCommand<T> {
  values: T;
  positionals: string[];
  /** The single positional argument named `name` in the usage; an error when missing or extra. */
  only(name: string): string;
  /** Refuses any positional argument. */
  none(): void;
}

/**
 * Flags of a non-hunt command, parsed with the shared parser. Returns undefined after printing
 * the command's help when it was asked for (the caller exits 0).
 */
export function parseCommand<S extends z.ZodObject>(
  ctx: CliContext,
  usage: string,
  summary: string,
  schema: S,
  hints: Readonly<Record<string, FlagHint>>,
  argv: readonly string[],
): ParsedCommand<z.output<S>> | undefined {
  const subject = `mig ${usage
    .split(' ')
    .filter((w) => /^[a-z]/.test(w))
    .join(' ')}`;
  if (isHelpRequested(argv)) {
    const flags = Object.keys(schema.shape).length === 0 ? '' : `\n${flagsHelp(schema, hints)}`;
    ctx.stdout.write(`mig ${usage}: ${summary}\n${flags}`);
    return undefined;
  }
  const { values, positionals } = parseFlags(schema, argv, hints, { subject });
  return {
    values,
    positionals,
    only(name) {
      const [first, ...extra] = positionals;
      if (first === undefined) throw new UserError('BAD_REQUEST', `${subject}: missing ${name}`, `usage: mig ${usage}`);
      if (extra.length > 0)
        throw new UserError(
          'BAD_REQUEST',
          `${subject}: unexpected argument ${JSON.stringify(extra[0])}`,
          `usage: mig ${usage}`,
        );
      return first;
    },
    none() {
      if (positionals.length > 0)
        throw new UserError(
          'BAD_REQUEST',
          `${subject}: unexpected argument ${JSON.stringify(positionals[0])}`,
          `usage: mig ${usage}`,
        );
    },
  };
}

/** Prints rows under a header as aligned columns (lists of agents, actions, investigators). */
export function printTable(
  out: NodeJS.WritableStream,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  out.write(`${alignColumns([header, ...rows])}\n`);
}

/** Control characters from the server (agent names, reasons) must not drive the terminal. */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
