/**
 * Counting a byte pattern across chunks without copying them: each chunk is searched where it
 * lies, and only the joint with the previous chunk (its last pattern.length − 1 bytes and this
 * chunk's first ones) is copied and searched for the matches that straddle the boundary. Only
 * offsets leave this object, never bytes.
 */
export class PatternCounter {
  matches = 0;
  readonly firstOffsets: number[] = [];
  /** The last pattern.length − 1 bytes seen (fewer at the start), and the offset of its first one. */
  private tail: Buffer = Buffer.alloc(0);
  private tailAt = 0;

  constructor(
    private readonly pattern: Buffer,
    private readonly maxOffsets: number,
  ) {}

  private record(offset: number): void {
    this.matches++;
    if (this.firstOffsets.length < this.maxOffsets) this.firstOffsets.push(offset);
  }

  /** `at`: the device offset of chunk[0]. Chunks must come in order, without gaps. */
  push(chunk: Uint8Array, at: number): void {
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const keep = this.pattern.length - 1;
    if (this.tail.length > 0) {
      const joint = Buffer.concat([this.tail, view.subarray(0, keep)]);
      // Only matches that start in the tail: those starting in the chunk are found below.
      for (let i = joint.indexOf(this.pattern); i >= 0 && i < this.tail.length; i = joint.indexOf(this.pattern, i + 1))
        this.record(this.tailAt + i);
    }
    for (let i = view.indexOf(this.pattern); i >= 0; i = view.indexOf(this.pattern, i + 1)) this.record(at + i);
    if (view.length >= keep) {
      this.tail = Buffer.from(view.subarray(view.length - keep));
      this.tailAt = at + view.length - keep;
    } else {
      const joined = Buffer.concat([this.tail, view]);
      this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - keep)));
      this.tailAt = at + view.length - this.tail.length;
    }
  }
}
