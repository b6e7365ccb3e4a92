/**
 * Cooperative pacing: the walk and the reads are synchronous (10x faster than one awaited call
 * per file), so every so often they hand the event loop a turn, letting the agent's MQTT
 * keepalives and cancel messages through. Checking is cheap; only a due pause awaits.
 */
export class Pacer {
  private sliceStart = performance.now();

  constructor(
    private readonly signal: AbortSignal,
    /** Called before each pause (the run flushes its counters there). */
    private readonly onPause: () => void = () => undefined,
    private readonly sliceMs = 20,
  ) {}

  get isAborted(): boolean {
    return this.signal.aborted;
  }

  get isDue(): boolean {
    return performance.now() - this.sliceStart >= this.sliceMs;
  }

  /** Yields to the event loop; false once the run is aborted. */
  async pause(): Promise<boolean> {
    this.onPause();
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
    return !this.signal.aborted;
  }
}
