import type { SignedAction, UnsignedAction } from '../../../protocol/action.js';
import { sanitize } from '../text.js';

/**
 * The action JSON exactly as it will be signed (signatures shortened: they are long and opaque),
 * cut to the lines that fit.
 */
export function previewLines(action: UnsignedAction | SignedAction | undefined, problems: readonly string[], maxLines: number): string[] {
  if (action === undefined) return ['(the action is not valid yet)', ...problems.map(sanitize)];
  const shown =
    'signatures' in action
      ? { ...action, signatures: action.signatures.map((s, i) => `<signature ${i + 1}: ${s.length} chars>`) }
      : action;
  const lines = JSON.stringify(shown, null, 2).split('\n').map(sanitize);
  if (lines.length <= maxLines) return lines;
  const keep = Math.max(1, maxLines - 1);
  return [...lines.slice(0, keep), `… ${lines.length - keep} more lines`];
}
