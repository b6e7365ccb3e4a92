import type { RenderEntry } from './entries.js';
import type { Sink } from './sink.js';

/** One JSON array written at end(): valid JSON even when nothing matched (`[]`). */
export function jsonSink(out: NodeJS.WritableStream): Sink {
  const collected: RenderEntry[] = [];
  return {
    write(entries) {
      collected.push(...entries);
    },
    end() {
      out.write(`${JSON.stringify(collected, null, 2)}\n`);
    },
  };
}

/** One JSON object per line as commands finish, for `jq` and streaming consumers. */
export function ndjsonSink(out: NodeJS.WritableStream): Sink {
  return {
    write(entries) {
      for (const entry of entries) out.write(`${JSON.stringify(entry)}\n`);
    },
    end() {},
  };
}
