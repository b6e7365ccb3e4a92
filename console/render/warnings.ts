import type { CommandRecord } from '../../protocol/api.js';
import { escapeControl } from './format.js';

/** Beyond this many per answer a person gets a count; the machine formats still carry them all. */
export const MAX_WARNING_LINES_PER_ANSWER = 5;

/**
 * The warnings of one answer as lines for stderr: `warning: host1 file: /srv: cannot open
 * search path (ENOENT)`. Agent names and messages come from endpoints: escaped, one line each.
 */
export function warningLines(cmd: CommandRecord, max = MAX_WARNING_LINES_PER_ANSWER): string[] {
  const lines: string[] = [];
  let hidden = 0;
  for (const op of cmd.operations ?? []) {
    for (const message of op.errors) {
      if (lines.length < max) lines.push(escapeControl(`warning: ${cmd.agentName} ${op.module}: ${message}`));
      else hidden++;
    }
  }
  if (hidden > 0) lines.push(escapeControl(`warning: ${cmd.agentName}: ${hidden} more (-render json lists them all)`));
  return lines;
}
