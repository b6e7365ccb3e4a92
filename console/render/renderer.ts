import type { CommandRecord } from '../../protocol/api.js';
import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import { BugError } from '../../protocol/errors.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { csvSink } from './csv.js';
import { commandEntries, type ShowFilter } from './entries.js';
import { jsonSink, ndjsonSink } from './json.js';
import type { Sink } from './sink.js';
import { textSink } from './text.js';

export type RenderFormat = 'text' | 'json' | 'ndjson' | 'csv';
export const RENDER_FORMATS: readonly RenderFormat[] = ['text', 'json', 'ndjson', 'csv'];
export type { RenderEntry, ShowFilter } from './entries.js';

export interface Renderer {
  /** Feed every command update as it arrives; only terminal ones print, each command once. */
  command(cmd: CommandRecord): void;
  /** Flush (json writes its array here). Call exactly once. */
  end(): void;
}

export interface RendererOptions {
  /** found: agents with hits; notfound: agents that answered with none; all: also every failure. */
  show: ShowFilter;
}

function sinkFor(format: RenderFormat, spec: AnyModuleSpec, out: NodeJS.WritableStream): Sink {
  switch (format) {
    case 'text':
      return textSink(out, spec.name, spec.columns);
    case 'json':
      return jsonSink(out);
    case 'ndjson':
      return ndjsonSink(out);
    case 'csv':
      return csvSink(out, spec.columns);
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
  const sink = sinkFor(format, spec, out);
  const seen = new Set<string>();
  let isEnded = false;
  return {
    command(cmd) {
      if (isEnded) throw new BugError(`renderer got command ${cmd.id} after end()`);
      if (!TERMINAL_COMMAND_STATUSES.has(cmd.status) || seen.has(cmd.id)) return;
      seen.add(cmd.id);
      sink.write(commandEntries(cmd, spec.name, opts.show));
    },
    end() {
      if (isEnded) throw new BugError('renderer end() called twice');
      isEnded = true;
      sink.end();
    },
  };
}
