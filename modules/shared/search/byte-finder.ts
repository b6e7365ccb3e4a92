/**
 * Finds a byte string in buffers faster than Buffer.indexOf when one of its bytes is rare in
 * the data, as grep does: memchr (Buffer.indexOf of one byte, ~10 GB/s) jumps to each place
 * the rarest byte of the needle occurs, and only there is the whole needle compared. Node's own
 * Buffer.indexOf of a string ran at ~2.4 GB/s on logs, and was most of a rare literal's search
 * (grep -l was 1.57x faster over 290 MB; bench/file-content.ts `content-list-290`).
 *
 * Each memchr is a call from JavaScript (~0.1 µs), so a byte that turns out frequent in the data
 * would lose: a search gives up on its byte after more candidates than its length is worth,
 * finishes with Buffer.indexOf, and picks another byte from a sample of the data. Answers are
 * always Buffer.indexOf's; only the time differs. Linear: every byte is looked at a bounded
 * number of times (each candidate is compared once, at most `needle.length` bytes).
 */

/** A byte of the needle occurring more often than once per this many bytes is not worth memchr. */
const BYTES_PER_CANDIDATE = 512;
/** Candidates allowed on top of that before giving up (short haystacks, a first unlucky hit). */
const CANDIDATE_SLACK = 16;
/** Bytes sampled to pick a rare byte: enough to see a byte at 1/512, a few µs of JavaScript. */
const SAMPLE_BYTES = 4096;
/** After the sample shows every byte of the needle frequent, this many searches use Buffer.indexOf alone. */
const NATIVE_SEARCHES = 64;

export class ByteFinder {
  /** Index in the needle of the byte memchr looks for. */
  private rare: number;
  /** Searches left before memchr is tried again, after the data showed no rare byte. */
  private nativeLeft = 0;
  private isSampled = false;

  constructor(readonly needle: Buffer) {
    if (needle.length === 0) throw new Error('ByteFinder: expected a non-empty needle, got 0 bytes');
    this.rare = needle.length - 1;
  }

  /** Whether `hay` holds the needle: `hay.includes(needle)`. */
  isIn(hay: Buffer): boolean {
    return this.indexIn(hay, 0) >= 0;
  }

  /** `hay.indexOf(needle, from)` for 0 ≤ from. */
  indexIn(hay: Buffer, from: number): number {
    const { needle } = this;
    if (needle.length === 1 || hay.length - from < needle.length) return hay.indexOf(needle, from);
    if (!this.isSampled) this.pickRareByte(hay, from);
    if (this.nativeLeft > 0) {
      this.nativeLeft--;
      return hay.indexOf(needle, from);
    }
    const rare = this.rare;
    const byte = needle[rare] as number;
    const lastStart = hay.length - needle.length;
    let budget = CANDIDATE_SLACK + Math.floor((hay.length - from) / BYTES_PER_CANDIDATE);
    for (let at = from + rare; ;) {
      const hit = hay.indexOf(byte, at);
      const start = hit - rare;
      if (hit < 0 || start > lastStart) return -1;
      if (this.isAt(hay, start)) return start;
      at = hit + 1;
      if (--budget === 0) {
        // Every start up to `start` was compared: Buffer.indexOf takes the rest.
        this.pickRareByte(hay, at);
        return hay.indexOf(needle, start + 1);
      }
    }
  }

  private isAt(hay: Buffer, start: number): boolean {
    const { needle } = this;
    for (let i = 0; i < needle.length; i++) if (hay[start + i] !== needle[i]) return false;
    return true;
  }

  /** The needle's byte least seen in a sample of `hay` from `from` (the last byte on ties). */
  private pickRareByte(hay: Buffer, from: number): void {
    this.isSampled = true;
    const counts = new Uint32Array(256);
    const end = Math.min(hay.length, from + SAMPLE_BYTES);
    for (let i = from; i < end; i++) {
      const byte = hay[i] as number;
      counts[byte] = (counts[byte] as number) + 1;
    }
    const seenOf = (index: number): number => counts[this.needle[index] as number] as number;
    let best = this.needle.length - 1;
    for (let i = best - 1; i >= 0; i--) if (seenOf(i) < seenOf(best)) best = i;
    this.rare = best;
    // Denser than one in BYTES_PER_CANDIDATE (with slack for a short sample): no byte is rare here.
    this.nativeLeft = seenOf(best) * BYTES_PER_CANDIDATE > end - from + SAMPLE_BYTES ? NATIVE_SEARCHES : 0;
  }
}

/** One finder per needle object (a compiled regex's literal, a memory check's bytes): each keeps what it learnt of the data. */
const finders = new WeakMap<Buffer, ByteFinder>();

export function byteFinder(needle: Buffer): ByteFinder {
  let finder = finders.get(needle);
  if (finder === undefined) finders.set(needle, (finder = new ByteFinder(needle)));
  return finder;
}
