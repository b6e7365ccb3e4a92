import { EventEmitter } from 'node:events';

/**
 * A terminal's input end, enough for Ink: raw mode, and keys typed through `type` that Ink reads
 * on 'readable'. Shared by the console's own tests and the rendering bench (bench/console-render.ts).
 */
export class FakeTtyIn extends EventEmitter {
  isTTY = true;
  private pending: string[] = [];
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read = (): string | null => this.pending.shift() ?? null;
  type(data: string): void {
    this.pending.push(data);
    this.emit('readable');
  }
}
