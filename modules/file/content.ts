import type { RegexCheck } from './plan.js';

/**
 * Content regexes, with MIG's line semantics (bufio.ScanLines: lines split on '\n', a trailing
 * '\r' dropped), but matched over large runs of lines at once: the regex searches the whole
 * run and a hit is mapped back to its line (see regex.ts). Bytes are decoded as UTF-8, as Go
 * matched them (invalid bytes become U+FFFD).
 */

/** Longer "lines" (e.g. in binaries) are cut into pieces of this size, each tested as a line. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** One search's content checks over one file. */
export class ContentScanner {
  private readonly found: boolean[];
  private pending: number;
  private lines = 0;
  private isMacroalBroken = false;

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
    if (this.isMacroal) return this.isMacroalBroken;
    if (this.pending === 0) return true;
    return this.canStopAtFailure && this.checks.some((c, i) => c.isNegated && this.found[i] === true);
  }

  /**
   * `bytes`: whole lines, each ending in '\n' except possibly the last one of the file; `text()`
   * decodes them (once for all scanners, and only if a regex needs to look).
   */
  feed(bytes: Buffer, text: () => string): void {
    if (this.isSettled) return;
    if (this.isMacroal) {
      this.feedEveryLine(text());
      return;
    }
    this.checks.forEach((check, i) => {
      if (this.found[i] === true) return;
      // Without the regex's required bytes no line here can match: skip decoding and matching.
      if (check.re.literal !== undefined && !bytes.includes(check.re.literal)) return;
      if (check.re.firstMatchingLine(text()) < 0) return;
      this.found[i] = true;
      this.pending--;
    });
  }

  private feedEveryLine(text: string): void {
    for (let start = 0; start < text.length && !this.isMacroalBroken; ) {
      const nl = text.indexOf('\n', start);
      const end = nl < 0 ? text.length : nl;
      const line = end > start && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      this.lines++;
      // MIG's macroal: each line must match every regex, and must not match a negated one.
      if (this.checks.some((c) => c.re.test(line) === c.isNegated)) this.isMacroalBroken = true;
      start = end + 1;
    }
  }

  /** Raw outcome per check: found a line (negated: found none); macroal: every line, of at least one, held. */
  results(): boolean[] {
    if (this.isMacroal) return this.checks.map(() => !this.isMacroalBroken && this.lines > 0);
    return this.checks.map((c, i) => this.found[i] !== c.isNegated);
  }
}

/** Cuts a byte stream into runs of whole lines, decodes each run once, and feeds every scanner. */
export class LineFramer {
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly scanners: readonly ContentScanner[]) {}

  get isSettled(): boolean {
    return this.scanners.every((s) => s.isSettled);
  }

  push(chunk: Buffer): void {
    if (this.isSettled) return;
    let rest = chunk;
    if (this.carry.length > 0) {
      // Complete the carried line with the chunk's first line, and leave the rest uncopied.
      const firstNl = chunk.indexOf(10);
      const head = firstNl < 0 ? chunk : chunk.subarray(0, firstNl + 1);
      const line = Buffer.concat([this.carry, head]);
      this.carry = Buffer.alloc(0);
      rest = chunk.subarray(head.length);
      if (firstNl >= 0 || line.length >= MAX_LINE_BYTES) this.deliver(line);
      else this.carry = line;
    }
    const lastNl = rest.lastIndexOf(10);
    if (lastNl >= 0) this.deliver(rest.subarray(0, lastNl + 1));
    const tail = rest.subarray(lastNl + 1);
    if (tail.length >= MAX_LINE_BYTES) this.deliver(tail);
    // The caller reuses its buffer: keep a copy.
    else if (tail.length > 0) this.carry = Buffer.concat([this.carry, tail]);
  }

  end(): void {
    if (this.carry.length > 0 && !this.isSettled) this.deliver(this.carry);
    this.carry = Buffer.alloc(0);
  }

  private deliver(bytes: Buffer): void {
    let text: string | undefined;
    const decode = (): string => (text ??= bytes.toString('utf8'));
    for (const scanner of this.scanners) scanner.feed(bytes, decode);
  }
}
