import { createHash, type Hash } from 'node:crypto';
import type { LineRegex } from '../shared/search/regex.js';

/** Longest line the match regex sees; the rest of a longer line is skipped (it still counts as one line). */
export const MAX_LINE_BYTES = 64 * 1024;

/** What one output stream amounted to: sizes, a digest, a count. Never its bytes. */
export interface StreamTally {
  bytes: number;
  sha256: string;
  /** The stream went on past the limit: bytes, sha256 and matches cover its first `limit` bytes. */
  isCut: boolean;
  /** Lines the regex matched; undefined when none was asked for. */
  matches: number | undefined;
}

/**
 * Counts, hashes and matches one output stream chunk by chunk, keeping at most one line
 * (MAX_LINE_BYTES) in memory. Past `limit` bytes it stops looking and only notes the stream went
 * on, so a program printing forever costs the agent nothing but draining its pipe.
 */
export class OutputTally {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private isCut = false;
  private matches = 0;
  private line: Buffer[] = [];
  private lineBytes = 0;

  constructor(
    private readonly limit: number,
    private readonly regex: LineRegex | undefined,
  ) {}

  add(chunk: Buffer): void {
    if (this.isCut) return;
    const room = this.limit - this.bytes;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (chunk.length > room) this.isCut = true;
    this.bytes += part.length;
    this.hash.update(part);
    if (this.regex !== undefined) this.scanLines(part);
  }

  private scanLines(part: Buffer): void {
    let start = 0;
    for (let nl = part.indexOf(10, start); nl >= 0; nl = part.indexOf(10, start)) {
      this.keep(part.subarray(start, nl));
      this.endLine();
      start = nl + 1;
    }
    this.keep(part.subarray(start));
  }

  /** Keeps what fits of a line's bytes for matching. */
  private keep(bytes: Buffer): void {
    const room = MAX_LINE_BYTES - this.lineBytes;
    if (room <= 0 || bytes.length === 0) return;
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.line.push(Buffer.from(kept));
    this.lineBytes += kept.length;
  }

  private endLine(): void {
    const text = Buffer.concat(this.line, this.lineBytes).toString('utf8');
    if (this.regex?.test(text.endsWith('\r') ? text.slice(0, -1) : text) === true) this.matches += 1;
    this.line = [];
    this.lineBytes = 0;
  }

  finish(): StreamTally {
    // A last line without its newline is still a line (unless the cut fell inside it: then it is not whole).
    if (this.regex !== undefined && this.lineBytes > 0 && !this.isCut) this.endLine();
    return {
      bytes: this.bytes,
      sha256: this.hash.digest('hex'),
      isCut: this.isCut,
      matches: this.regex === undefined ? undefined : this.matches,
    };
  }
}
