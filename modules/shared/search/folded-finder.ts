import type { BytesFilter } from './class-run.js';
import { requiredLiterals } from './literals.js';

/**
 * The byte prefilter of a case-insensitive literal (`(?i)legend\.rocks`, the `-enc` of
 * `(?i)(cmd|powershell)\.exe.*-enc`): byte-finder.ts's memchr on a rare byte, here on both
 * cases of it, and an ASCII case-blind compare at each candidate. Without it such a pattern
 * decoded every run of lines for V8's case-insensitive search (~0.5-0.8x grep -i).
 *
 * Sound on the text regexes see: an ASCII character there is always its own byte (line-text.ts),
 * and under RE2's (?i) an ASCII letter other than k and s folds only to its other ASCII case
 * (k also to the Kelvin sign, s to the long s: multi-byte). So the filter looks for the longest
 * piece of the literal without k, s or non-ASCII characters; a line holding a match holds that
 * piece in some mix of cases. When the data makes the chosen byte frequent, the filter answers
 * "maybe" (the run is decoded and searched as before) rather than spend more calls than a pass.
 */

/**
 * As byte-finder.ts, but a search that gives up here has bought nothing (there is no native
 * case-blind search to finish with), so the sample must show the byte four times rarer.
 */
// Alike on purpose (duplicates): tuning constants laid out as literals.ts lays its own; the values differ.
const BYTES_PER_CANDIDATE = 512;
const SAMPLE_BYTES_PER_SEEN = 2048;
const CANDIDATE_SLACK = 16;
const SAMPLE_BYTES = 4096;
const UNFILTERED_RUNS = 64;
/** A shorter piece is on most lines of text. */
const MIN_PIECE = 3;

const isLetter = (byte: number): boolean => byte >= 0x61 && byte <= 0x7a;

export class FoldedFinder implements BytesFilter {
  /** The piece in lower case. */
  private readonly lower: Buffer;
  private rare = 0;
  private isSampled = false;
  /** Runs left to pass unfiltered, after the data showed no rare byte. */
  private unfilteredLeft = 0;

  constructor(piece: string) {
    if (!/^[\x20-\x7e]+$/.test(piece) || /[ks]/i.test(piece))
      throw new Error(`FoldedFinder: expected printable ASCII without k or s, got ${JSON.stringify(piece)}`);
    this.lower = Buffer.from(piece.toLowerCase(), 'latin1');
  }

  get piece(): string {
    return this.lower.toString('latin1');
  }

  isIn(hay: Buffer): boolean {
    const { lower } = this;
    if (hay.length < lower.length) return false;
    if (!this.isSampled) this.pickRareByte(hay);
    if (this.unfilteredLeft > 0) {
      this.unfilteredLeft--;
      return true;
    }
    const rare = this.rare;
    const small = lower[rare] as number;
    const big = isLetter(small) ? small - 0x20 : -1;
    const lastStart = hay.length - lower.length;
    let budget = CANDIDATE_SLACK + Math.floor(hay.length / BYTES_PER_CANDIDATE);
    let nextSmall = hay.indexOf(small, rare);
    let nextBig = big < 0 ? -1 : hay.indexOf(big, rare);
    for (;;) {
      const hit = nextBig < 0 || (nextSmall >= 0 && nextSmall < nextBig) ? nextSmall : nextBig;
      if (hit < 0 || hit - rare > lastStart) return false;
      if (this.isAt(hay, hit - rare)) return true;
      if (hit === nextSmall) nextSmall = hay.indexOf(small, hit + 1);
      else nextBig = hay.indexOf(big, hit + 1);
      if (--budget === 0) {
        // Not worth finishing here: "maybe", as without a filter, for a while; then a new sample.
        this.unfilteredLeft = UNFILTERED_RUNS;
        this.isSampled = false;
        return true;
      }
    }
  }

  private isAt(hay: Buffer, start: number): boolean {
    const { lower } = this;
    for (let i = 0; i < lower.length; i++) {
      const want = lower[i] as number;
      const byte = hay[start + i] as number;
      // For a-z, byte | 0x20 is `want` only for `want` and its capital.
      if (isLetter(want) ? (byte | 0x20) !== want : byte !== want) return false;
    }
    return true;
  }

  /** The piece's byte (both cases counted) least seen in the first SAMPLE_BYTES of `hay`. */
  private pickRareByte(hay: Buffer): void {
    this.isSampled = true;
    const counts = new Uint32Array(256);
    const end = Math.min(hay.length, SAMPLE_BYTES);
    for (let i = 0; i < end; i++) {
      const byte = hay[i] as number;
      counts[byte] = (counts[byte] as number) + 1;
    }
    const seenOf = (index: number): number => {
      const byte = this.lower[index] as number;
      return (counts[byte] as number) + (isLetter(byte) ? (counts[byte - 0x20] as number) : 0);
    };
    let best = this.lower.length - 1;
    for (let i = best - 1; i >= 0; i--) if (seenOf(i) < seenOf(best)) best = i;
    this.rare = best;
    this.unfilteredLeft = seenOf(best) * SAMPLE_BYTES_PER_SEEN > end + SAMPLE_BYTES ? UNFILTERED_RUNS : 0;
  }
}

/** The longest run of characters of `text` that FoldedFinder can look for. */
function longestPiece(text: string): string {
  let best = '';
  for (const piece of text.split(/[^\x20-\x7e]|[ks]/i)) if (piece.length > best.length) best = piece;
  return best;
}

/** For a case-insensitive pattern with a required literal (literals.ts), or undefined. */
export function foldedFilter(pattern: string): FoldedFinder | undefined {
  const required = requiredLiterals(pattern);
  if (required === undefined || !required.isFolded) return undefined;
  // Every match holds a member of each set: a set of one member is one literal to look for.
  let best = '';
  for (const set of required.sets) {
    const piece = set.length === 1 ? longestPiece(set[0] as string) : '';
    if (piece.length > best.length) best = piece;
  }
  return best.length >= MIN_PIECE ? new FoldedFinder(best) : undefined;
}
