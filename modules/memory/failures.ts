import type { ModuleContext } from '../../protocol/module-spec.js';

/**
 * What could not be read. Unreadable memory is normal (pages with no backing, processes that
 * exit mid-scan, other users' processes when the agent is not root), so it is counted and, as
 * in MIG, listed only with logfailures; without it, unreadable processes get one summary line.
 */
export class Failures {
  private processes = 0;
  private first: string | undefined;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly isLogFailures: boolean,
  ) {}

  /** A process whose names, maps or memory could not be read at all. */
  process(pid: number, what: string, code: string): void {
    this.ctx.count('processesUnreadable');
    this.processes++;
    const message = `pid ${pid}: ${what} could not be read (${code})`;
    this.first ??= message;
    if (this.isLogFailures) this.ctx.warn(message);
  }

  /** Part of a process's memory: the rest of that region was skipped. */
  region(pid: number, start: number, end: number, at: number, code: string): void {
    this.ctx.count('regionsUnreadable');
    if (this.isLogFailures) {
      this.ctx.warn(
        `pid ${pid}: region ${start.toString(16)}-${end.toString(16)} unreadable from ${at.toString(16)} (${code}); rest of the region skipped`,
      );
    }
  }

  /** One closing line when failures were not listed one by one. */
  summarize(): void {
    if (this.isLogFailures || this.processes === 0) return;
    this.ctx.warn(`${this.processes} process(es) could not be read, e.g. ${this.first ?? ''}; logfailures lists each`);
  }
}

export function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : String(err);
}

/** The process exited between the listing and the read: not a failure, just gone. */
export function isGone(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'ENOENT' || code === 'ESRCH';
}
