import { BugError } from '../../protocol/errors.js';
import { YaraEngine } from './engine.js';

type EngineOptions = Parameters<typeof YaraEngine.start>[1];

/**
 * Up to `max` engines with the same rules, each a worker thread. They start only when a file
 * needs the engine while every engine is busy: with the prefilter most runs need few scans, and
 * an engine costs a thread, a WebAssembly instance and a compile of the rules. `start` starts
 * one at once (the rules are compiled before anything is read); `later` none, for rules
 * already checked (compile-check.ts).
 */
export class EnginePool {
  private readonly all: YaraEngine[];
  private readonly idle: YaraEngine[];

  private constructor(
    first: YaraEngine | undefined,
    private readonly max: number,
    private readonly sources: readonly string[],
    private readonly options: EngineOptions,
    /** Compiler warnings (unused pattern, slow loop...), once per operation. */
    readonly warnings: readonly string[],
  ) {
    this.all = first === undefined ? [] : [first];
    this.idle = [...this.all];
  }

  static async start(max: number, sources: readonly string[], options: EngineOptions): Promise<EnginePool> {
    const first = await YaraEngine.start(sources, options);
    return new EnginePool(first, Math.max(1, max), sources, options, first.warnings);
  }

  static later(
    max: number,
    sources: readonly string[],
    options: EngineOptions,
    warnings: readonly string[],
  ): EnginePool {
    return new EnginePool(undefined, Math.max(1, max), sources, options, warnings);
  }

  get hasIdle(): boolean {
    return this.idle.length > 0;
  }

  get canGrow(): boolean {
    return this.all.length < this.max;
  }

  /** Starts one more engine, idle. */
  async grow(): Promise<void> {
    const engine = await YaraEngine.start(this.sources, this.options);
    this.all.push(engine);
    this.idle.push(engine);
  }

  /** An idle engine; only when `hasIdle`. */
  take(): YaraEngine {
    const engine = this.idle.pop();
    if (engine === undefined) throw new BugError('EnginePool.take with no idle engine');
    return engine;
  }

  give(engine: YaraEngine): void {
    this.idle.push(engine);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((e) => e.close()));
  }
}
