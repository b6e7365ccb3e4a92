import type { LogFn } from '../log.js';

/** What memory keeps of one line: its key, until when it counts, and what the owner needs at hand. */
export interface KeyedLine<M> {
  key: string;
  /** Epoch ms; past it the entry is gone (a tombstone is a line that is already past). */
  until: number;
  meta: M;
}

export interface KeyedLimits {
  /** Most live entries; past it the oldest are dropped. */
  maxEntries: number;
  /** Most bytes of live lines; past it the oldest are dropped. */
  maxBytes: number;
  /** A longer line (newline included) is refused by put(). */
  maxLineBytes: number;
}

export interface KeyedJournalOptions<M> {
  path: string;
  /** Reads a parsed line; undefined if it is not one of ours (counted as unreadable and skipped). */
  decode(value: unknown): KeyedLine<M> | undefined;
  now(): Date;
  log: LogFn;
  /** How log lines name this journal, e.g. 'replay journal'. */
  what: string;
  limits?: Partial<KeyedLimits>;
}

export class LineTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`a line of ${bytes} bytes (limit ${limit})`);
  }
}
