/** Command ids handled recently, remembered to ignore a QoS 1 redelivery of the same command. */
const RECENT_COMMANDS = 1000;

/**
 * Which commands this process is handling (each with its cancel switch) and has handled lately,
 * and the tasks to wait for at shutdown. Every task is tracked, so none ends as an unhandled
 * rejection: its error is logged.
 */
export class CommandTracker {
  private readonly inflight = new Map<string, AbortController>();
  private readonly recent = new Set<string>();
  private readonly tasks = new Set<Promise<void>>();

  constructor(private readonly onError: (commandId: string, err: unknown) => void) {}

  isKnown(commandId: string): boolean {
    return this.inflight.has(commandId) || this.recent.has(commandId);
  }

  /** Runs `task` under a fresh cancel switch; once it settles the command counts as recent. */
  track(commandId: string, task: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    this.inflight.set(commandId, controller);
    const tracked = task(controller.signal)
      .catch((err: unknown) => this.onError(commandId, err))
      .finally(() => {
        this.tasks.delete(tracked);
        if (this.inflight.get(commandId) === controller) this.inflight.delete(commandId);
        this.recent.delete(commandId);
        this.recent.add(commandId);
        if (this.recent.size > RECENT_COMMANDS) this.recent.delete(this.recent.values().next().value ?? '');
      });
    this.tasks.add(tracked);
  }

  /** False if the command is not running here. */
  cancel(commandId: string): boolean {
    const controller = this.inflight.get(commandId);
    controller?.abort();
    return controller !== undefined;
  }

  cancelAll(): void {
    for (const controller of this.inflight.values()) controller.abort();
  }

  async settled(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }
}
