import type { CommandRecord } from '../../protocol/api.js';
import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import { BugError } from '../../protocol/errors.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { PLAIN, type Palette } from './colors.js';
import { csvSink } from './csv.js';
import { commandEntries, type ShowFilter, type Verification } from './entries.js';
import { jsonSink, ndjsonSink } from './json.js';
import type { Sink } from './sink.js';
import { addToTally, emptyTally, type AnswerTally } from './tally.js';
import { textSink } from './text.js';
import { warningLines } from './warnings.js';

export type RenderFormat = 'text' | 'json' | 'ndjson' | 'csv';
export const RENDER_FORMATS: readonly RenderFormat[] = ['text', 'json', 'ndjson', 'csv'];
export type { RenderEntry, ShowFilter, Verification } from './entries.js';
export type { AnswerTally } from './tally.js';

export interface Renderer {
  /** Feed every command update as it arrives; only terminal ones print, each command once. */
  command(cmd: CommandRecord): void;
  /** Flush (json writes its array here). Call exactly once. */
  end(): void;
  /** What the answers printed so far add up to (found, warnings, failures, verification). */
  tally(): AnswerTally;
}

export interface RendererOptions {
  /** found: answers that found something; notfound: those that did not; all: also every failure. */
  show: ShowFilter;
  /** Colours of the stdout stream (text only; machine formats never get escape codes). */
  palette?: Palette;
  /** Gets each warning line for a person (stderr); the machine formats also carry them in `warnings`. */
  warn?(line: string): void;
  /** Checks each answer's agent signature (`action results --verify`); its verdict rides on every entry. */
  verify?(cmd: CommandRecord): Verification | undefined;
}

function sinkFor(format: RenderFormat, spec: AnyModuleSpec, out: NodeJS.WritableStream, opts: RendererOptions): Sink {
  switch (format) {
    case 'text':
      return textSink(out, spec.name, spec.columns, opts.palette ?? PLAIN);
    case 'json':
      return jsonSink(out);
    case 'ndjson':
      return ndjsonSink(out);
    case 'csv':
      return csvSink(out, spec.columns, opts.verify !== undefined);
  }
}

/**
 * Prints command results for one module's action. Live streams repeat updates (SSE replays,
 * list polling), so commands are deduplicated by id and only their terminal state is shown.
 */
export function createRenderer(
  format: RenderFormat,
  spec: AnyModuleSpec,
  out: NodeJS.WritableStream,
  opts: RendererOptions,
): Renderer {
  const sink = sinkFor(format, spec, out, opts);
  const seen = new Set<string>();
  const tally = emptyTally();
  let isEnded = false;
  return {
    command(cmd) {
      if (isEnded) throw new BugError(`renderer got command ${cmd.id} after end()`);
      if (!TERMINAL_COMMAND_STATUSES.has(cmd.status) || seen.has(cmd.id)) return;
      seen.add(cmd.id);
      const verification = opts.verify?.(cmd);
      addToTally(tally, cmd, verification);
      for (const line of warningLines(cmd)) opts.warn?.(line);
      const entries = commandEntries(cmd, spec.name, { show: opts.show, isWarningCarried: format !== 'text' });
      if (verification !== undefined) for (const entry of entries) entry.verification = verification;
      sink.write(entries);
    },
    end() {
      if (isEnded) throw new BugError('renderer end() called twice');
      isEnded = true;
      sink.end();
    },
    tally: () => tally,
  };
}
