import type { LiveEvent } from '../../protocol/api.js';

export type LiveListener = (event: LiveEvent) => void;

/**
 * In-process fan-out of LiveEvents (action, command and agent changes) to SSE streams. Emitting
 * never throws back into the scheduler: a listener that fails is dropped and logged.
 */
export class EventHub {
  private readonly listeners = new Set<LiveListener>();

  constructor(private readonly log: (msg: string) => void = () => undefined) {}

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.listeners.delete(listener);
        this.log(`events: dropped a listener that threw: ${(err as Error).message}`);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}

/** Which action an event belongs to, for `/events?actionId=`; agent events belong to none. */
export function eventActionId(event: LiveEvent): string | undefined {
  if (event.type === 'action') return event.action.action.id;
  if (event.type === 'command') return event.command.actionId;
  return undefined;
}

/** Events with the same key replace each other while waiting to be sent. */
export function eventKey(event: LiveEvent): string {
  if (event.type === 'action') return `action:${event.action.action.id}`;
  if (event.type === 'command') return `command:${event.command.id}`;
  return `agent:${event.agent.id}`;
}
