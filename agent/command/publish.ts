import type { ResultMessage } from '../../protocol/messages.js';
import type { LogFn } from '../log.js';

export interface PublishDeps {
  publishResult(message: ResultMessage): Promise<void>;
  /** The running journal (agent/journal/running-journal.ts). */
  running: { end(commandId: string): Promise<void> };
  log: LogFn;
}

/**
 * Step 7: publishes the result (QoS 1), then takes the command out of the running journal. If
 * publishing fails it stays journaled and is reported at restart; never throws.
 */
export async function publishAnswer(message: ResultMessage, deps: PublishDeps): Promise<void> {
  try {
    await deps.publishResult(message);
  } catch (err) {
    deps.log(
      'error',
      `command ${message.commandId}: result not delivered (${(err as Error).message}); it will be reported at restart`,
    );
    return;
  }
  await deps.running.end(message.commandId).catch((err: unknown) => {
    deps.log('warn', `command ${message.commandId}: running journal not updated: ${(err as Error).message}`);
  });
}
