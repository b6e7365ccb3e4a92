/**
 * Counting a byte pattern across chunks: the last pattern.length − 1 bytes of each chunk are kept
 * and searched again with the next, so a match across a chunk boundary is found once. Only
 * offsets leave this object, never bytes.
 */
export class PatternCounter {
  matches = 0;
  readonly firstOffsets: number[] = [];
  private tail: Buffer = Buffer.alloc(0);
  private tailAt = 0;

  constructor(
    private readonly pattern: Buffer,
    private readonly maxOffsets: number,
  ) {}

  /** `at`: the device offset of chunk[0]. Chunks must come in order, without gaps. */
  push(chunk: Uint8Array, at: number): void {
    const window = this.tail.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.tail, chunk]);
    const windowAt = this.tail.length === 0 ? at : this.tailAt;
    // Matches starting in the kept tail were not complete before; any complete one there now is new.
    for (let i = window.indexOf(this.pattern); i >= 0; i = window.indexOf(this.pattern, i + 1)) {
      this.matches++;
      if (this.firstOffsets.length < this.maxOffsets) this.firstOffsets.push(windowAt + i);
    }
    const keep = Math.min(this.pattern.length - 1, window.length);
    this.tail = Buffer.from(window.subarray(window.length - keep));
    this.tailAt = windowAt + window.length - keep;
  }
}
