import { byteFinder } from '../shared/search/byte-finder.js';
import type { LineRegex } from '../shared/search/regex.js';

/**
 * The memory checks (content regexes and byte strings) over a stream of windows of one region.
 * Memory is read in bounded chunks; consecutive windows overlap so that nothing is lost at a
 * chunk boundary:
 * - byte strings: the last (longest needle - 1) bytes of a window open the next one, so a
 *   needle straddling the boundary is found whole;
 * - content regexes see memory as UTF-8 text lines, as the file module's content does, except
 *   that a NUL ends a line as '\n' does: memory is full of C strings, and this way `^` and `$`
 *   anchor at their ends (`.` does not run across them either). A window is searched up to its
 *   last line end and the partial line after it is carried into the next window. A line longer
 *   than CONTENT_OVERLAP_BYTES is searched in pieces overlapping by that much, each piece taken
 *   as a line: a match up to that long is found wherever it lies. A region's start and end are
 *   line boundaries.
 * Only whether each check matched is kept: never where, never what.
 */

export const CONTENT_OVERLAP_BYTES = 64 * 1024;
const NL = 0x0a;
const NUL = 0x00;

export interface ContentCheck {
  re: LineRegex;
  /** How the check reads in `matched`: `content:<regex>`. */
  label: string;
}

export interface BytesCheck {
  needle: Buffer;
  label: string;
}

/** Where the next window must start, as an index into the window just searched. */
export interface Carry {
  /** First byte the next window must hold (the earlier bytes can be dropped). */
  keepFrom: number;
  /** Where the content search resumes (≥ keepFrom): the start of the carried line (or `end`). */
  contentFrom: number;
}

export class MemoryMatcher {
  private readonly contentFound: boolean[];
  private readonly bytesFound: boolean[];
  private pending: number;
  /** Bytes a window must carry into the next one for the byte strings. */
  readonly bytesOverlap: number;

  constructor(
    private readonly contents: readonly ContentCheck[],
    private readonly bytes: readonly BytesCheck[],
  ) {
    this.contentFound = contents.map(() => false);
    this.bytesFound = bytes.map(() => false);
    this.pending = contents.length + bytes.length;
    this.bytesOverlap = Math.max(0, ...bytes.map((b) => b.needle.length - 1));
  }

  /** The most a window can carry: the reader's buffer holds this much on top of a chunk. */
  get maxCarry(): number {
    return Math.max(this.bytesOverlap, this.contents.length > 0 ? CONTENT_OVERLAP_BYTES : 0);
  }

  get hasChecks(): boolean {
    return this.contents.length + this.bytes.length > 0;
  }

  /** Every check has matched: reading more of this process changes nothing. */
  get isSettled(): boolean {
    return this.pending === 0;
  }

  /**
   * Searches window[0, end); the content search starts at `contentFrom` (a line start). With
   * `isFinal` (the region, or what can be read of it, ends here) nothing is carried.
   */
  search(window: Buffer, contentFrom: number, end: number, isFinal: boolean): Carry {
    this.searchBytes(window.subarray(0, end));
    if (isFinal) {
      this.searchContent(window, contentFrom, end);
      return { keepFrom: end, contentFrom: end };
    }
    const bytesFrom = Math.max(0, end - this.bytesOverlap);
    if (this.contents.length === 0) return { keepFrom: bytesFrom, contentFrom: end };
    const next = this.contentCut(window, contentFrom, end);
    this.searchContent(window, contentFrom, next.searchEnd);
    return { keepFrom: Math.min(bytesFrom, next.carryFrom), contentFrom: next.carryFrom };
  }

  /** Labels of the checks that matched, in the order they were given. */
  matchedLabels(): string[] {
    return [
      ...this.contents.filter((_, i) => this.contentFound[i]),
      ...this.bytes.filter((_, i) => this.bytesFound[i]),
    ].map((c) => c.label);
  }

  /**
   * How far to search now and where the carried line starts: after the window's last line end
   * ('\n' or NUL) when that is within the overlap. Without one there, a line shorter than the overlap is carried
   * whole, unsearched; a longer one is searched as it is and its last CONTENT_OVERLAP_BYTES open
   * the next piece.
   */
  private contentCut(window: Buffer, contentFrom: number, end: number): { searchEnd: number; carryFrom: number } {
    const tailStart = Math.max(contentFrom, end - CONTENT_OVERLAP_BYTES);
    const tail = window.subarray(tailStart, end);
    const cut = Math.max(tail.lastIndexOf(NL), tail.lastIndexOf(NUL));
    if (cut >= 0) return { searchEnd: tailStart + cut + 1, carryFrom: tailStart + cut + 1 };
    if (end - contentFrom < CONTENT_OVERLAP_BYTES) return { searchEnd: contentFrom, carryFrom: contentFrom };
    return { searchEnd: end, carryFrom: end - CONTENT_OVERLAP_BYTES };
  }

  private searchBytes(window: Buffer): void {
    this.bytes.forEach((check, i) => {
      if (this.bytesFound[i] === true || !byteFinder(check.needle).isIn(window)) return;
      this.bytesFound[i] = true;
      this.pending--;
    });
  }

  private searchContent(window: Buffer, from: number, to: number): void {
    if (to <= from) return;
    const lines = window.subarray(from, to);
    let text: string | undefined;
    this.contents.forEach((check, i) => {
      if (this.contentFound[i] === true) return;
      // Without the regex's required bytes no line here can match: skip decoding and matching.
      if (check.re.bytesFilter?.isIn(lines) === false) return;
      text ??= lines.toString('utf8').replaceAll('\0', '\n');
      if (check.re.firstMatchingLine(text) < 0) return;
      this.contentFound[i] = true;
      this.pending--;
    });
  }
}
