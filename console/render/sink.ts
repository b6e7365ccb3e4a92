import type { RenderEntry } from './entries.js';

/** One output format: receives entries as commands finish, then end() once. */
export interface Sink {
  write(entries: readonly RenderEntry[]): void;
  end(): void;
}
