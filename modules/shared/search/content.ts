import { bytesToText } from './line-text.js';
import type { RegexCheck } from './plan.js';

/**
 * Content regexes over a file's lines, matched over large runs of lines at once: the regex
 * searches the whole run and a hit is mapped back to its line (see regex.ts).
 *
 * What a line is, exactly:
 * - Lines are split on '\n' only, and a line ending "\r\n" keeps its '\r': `foo$` does not
 *   match "foo\r". MIG's bufio.ScanLines dropped that '\r'; we match the bytes as they are.
 * - A line of any length up to MAX_LINE_BYTES is matched whole (MIG's bufio.Scanner stopped at
 *   its 64 KiB token limit and silently skipped the rest of the file). A longer line is never
 *   cut into pieces: the search's content checks on that file fail with an error that says so.
 * - Bytes are matched exactly (line-text.ts): invalid UTF-8 never becomes U+FFFD.
 */

/**
 * The longest line matched whole. A JavaScript string holds at most ~512 Mi code units, and the
 * agent must not hold several copies of a huge line: 64 MiB is far past any text line and
 * bounds an agent's memory on a file with no '\n' (a disk image, a core dump).
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Lines are decoded and matched in runs of at most this many bytes (a longer line is one run of
 * its own). Measured on Node 20: a one-byte string under ~128 KiB lives in V8's young generation
 * and costs ~0.3 ms per MiB to make; one between ~128 KiB and ~1 MiB goes to the large-object
 * space, which only full collections free, and cost 3-4 ms per MiB (ten times more); a whole
 * growing read (64 KiB ... 1 MiB) decoded at once paid that for most reads.
 */
export const RUN_BYTES = 64 * 1024;

/**
 * A file's first run is this small, and each next one twice the last, up to RUN_BYTES: a match
 * in a file's first lines (a frequent pattern, a header, a line-anchored log format) settles
 * the file after decoding a few KiB instead of 64 (read.ts grows its reads the same way).
 */
export const FIRST_RUN_BYTES = 4 * 1024;

/**
 * regex.ts tests each line without a '\r' that precedes its '\n' (or ends the text). Doubling
 * that '\r' makes the line it tests the line as stored, '\r' included. A line start seen by the
 * chunk search is still a line start, and `$` still finds the line end past one '\r', so the
 * multi-line search keeps over-approximating before each line is checked on its own.
 */
function keepCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text;
  const doubled = text.replaceAll('\r\n', '\r\r\n');
  return doubled.endsWith('\r') ? `${doubled}\r` : doubled;
}

/** A run of whole lines, decoded once for all scanners, and only if a regex needs to look. */
export class LineRun {
  private decoded: string | undefined;
  private searched: string | undefined;

  constructor(readonly bytes: Buffer) {}

  /** The lines as text (line-text.ts). */
  text(): string {
    return (this.decoded ??= bytesToText(this.bytes));
  }

  /** The text as LineRegex.firstMatchingLine must see it for each line to keep its '\r'. */
  searchText(): string {
    return (this.searched ??= keepCarriageReturns(this.text()));
  }
}

/** One search's content checks over one file. */
export class ContentScanner {
  private readonly found: boolean[];
  private pending: number;
  private lines = 0;
  private isMacroalBroken = false;
  /** A line longer than MAX_LINE_BYTES: the checks cannot be decided. */
  isOverflowed = false;

  constructor(
    private readonly checks: readonly RegexCheck[],
    private readonly isMacroal: boolean,
    /** matchall: a failed check fails the search, so the scan can stop at the first one. */
    private readonly canStopAtFailure: boolean,
  ) {
    this.found = checks.map(() => false);
    this.pending = checks.length;
  }

  /** Nothing more in the file can change the outcome. */
  get isSettled(): boolean {
    if (this.isOverflowed) return true;
    if (this.isMacroal) return this.isMacroalBroken;
    if (this.pending === 0) return true;
    return this.canStopAtFailure && this.checks.some((c, i) => c.isNegated && this.found[i] === true);
  }

  /** `run.bytes`: whole lines, each ending in '\n' except possibly the last one of the file. */
  feed(run: LineRun): void {
    if (this.isSettled) return;
    if (this.isMacroal) {
      this.feedEveryLine(run.text());
      return;
    }
    const { bytes } = run;
    this.checks.forEach((check, i) => {
      if (this.found[i] === true) return;
      // Without the regex's required bytes no line here can match: skip decoding and matching.
      // With them, a pattern that is only that literal has matched (LineRegex.isDecidedByBytes).
      const isIn = check.re.bytesFilter?.isIn(bytes);
      if (isIn === false) return;
      if (!(isIn === true && check.re.isDecidedByBytes) && check.re.firstMatchingLine(run.searchText()) < 0) return;
      this.found[i] = true;
      this.pending--;
    });
  }

  private feedEveryLine(text: string): void {
    for (let start = 0; start < text.length && !this.isMacroalBroken;) {
      const nl = text.indexOf('\n', start);
      const end = nl < 0 ? text.length : nl;
      const line = text.slice(start, end);
      this.lines++;
      // MIG's macroal: each line must match every regex, and must not match a negated one.
      if (this.checks.some((c) => c.re.test(line) === c.isNegated)) this.isMacroalBroken = true;
      start = end + 1;
    }
  }

  /**
   * Raw outcome per check: found a line (negated: found none); macroal: every line held.
   * An empty file has no line to hold: MIG's checkContent never sets macroalstatus then, so it
   * judges the checks as without macroal (mozilla/mig modules/file/file.go, checkContent, steps
   * 2 and 3 after the scan): a regex fails, a negated regex passes; -mismatch content inverts
   * each. (MIG also lets a negated regex with -mismatch content pass in matchall mode on every
   * file, through the same steps; that double inversion is a bug we do not copy.)
   */
  results(): boolean[] {
    if (this.isMacroal && this.lines > 0) return this.checks.map(() => !this.isMacroalBroken);
    return this.checks.map((c, i) => this.found[i] !== c.isNegated);
  }
}

/** Cuts a byte stream into runs of whole lines, decodes each run once, and feeds every scanner. */
export class LineFramer {
  /** The size of the next run (deliver). */
  private runBytes = FIRST_RUN_BYTES;
  /** The start of a line not yet ended, in pieces (copied: the caller reuses its buffer). */
  private carry: Buffer[] = [];
  private carryBytes = 0;

  constructor(private readonly scanners: readonly ContentScanner[]) {}

  get isSettled(): boolean {
    return this.scanners.every((s) => s.isSettled);
  }

  push(chunk: Buffer): void {
    if (this.isSettled) return;
    let rest = chunk;
    if (this.carryBytes > 0) {
      const firstNl = chunk.indexOf(10);
      if (firstNl < 0) {
        this.keep(chunk);
        return;
      }
      // Complete the carried line with the chunk's first line, and leave the rest uncopied.
      const head = chunk.subarray(0, firstNl + 1);
      rest = chunk.subarray(head.length);
      if (!this.fits(head.length)) return;
      const line = Buffer.concat([...this.carry, head], this.carryBytes + head.length);
      this.carry = [];
      this.carryBytes = 0;
      this.deliver(line);
    }
    const lastNl = rest.lastIndexOf(10);
    if (lastNl >= 0) this.deliver(rest.subarray(0, lastNl + 1));
    this.keep(rest.subarray(lastNl + 1));
  }

  end(): void {
    if (this.carryBytes > 0 && !this.isSettled) this.deliver(Buffer.concat(this.carry, this.carryBytes));
    this.carry = [];
    this.carryBytes = 0;
  }

  private keep(tail: Buffer): void {
    if (tail.length === 0 || !this.fits(tail.length)) return;
    this.carry.push(Buffer.from(tail));
    this.carryBytes += tail.length;
  }

  /** False (and every scanner overflowed) when the carried line would pass MAX_LINE_BYTES. */
  private fits(more: number): boolean {
    if (this.carryBytes + more <= MAX_LINE_BYTES) return true;
    for (const scanner of this.scanners) if (!scanner.isSettled) scanner.isOverflowed = true;
    this.carry = [];
    this.carryBytes = 0;
    return false;
  }

  /**
   * `bytes`: whole lines; fed to the scanners in runs of whole lines of about `runBytes`, which
   * starts at FIRST_RUN_BYTES and doubles up to RUN_BYTES.
   */
  private deliver(bytes: Buffer): void {
    for (let start = 0; start < bytes.length && !this.isSettled;) {
      let end = bytes.length;
      const limit = this.runBytes;
      if (end - start > limit) {
        const nl = bytes.lastIndexOf(10, start + limit - 1);
        // No newline in the next `limit` bytes: a long line, delivered whole up to its end.
        end = nl >= start ? nl + 1 : bytes.indexOf(10, start + limit) + 1 || bytes.length;
      }
      this.runBytes = Math.min(limit * 2, RUN_BYTES);
      const run = new LineRun(bytes.subarray(start, end));
      for (const scanner of this.scanners) scanner.feed(run);
      start = end;
    }
  }
}
