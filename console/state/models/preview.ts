import type { SignedAction, UnsignedAction } from '../../../protocol/action.js';
import { sanitize } from '../text.js';

const linesCache = new WeakMap<UnsignedAction | SignedAction, readonly string[]>();

/**
 * Every line of the action JSON exactly as it is signed (signatures shortened: they are long,
 * opaque and not part of the signed bytes). Sanitized: the action may come from the network.
 */
export function actionJsonLines(action: UnsignedAction | SignedAction): readonly string[] {
  let lines = linesCache.get(action);
  if (lines === undefined) {
    const shown =
      'signatures' in action
        ? { ...action, signatures: action.signatures.map((s, i) => `<signature ${i + 1}: ${s.length} chars>`) }
        : action;
    lines = JSON.stringify(shown, null, 2).split('\n').map(sanitize);
    linesCache.set(action, lines);
  }
  return lines;
}

/**
 * The lines of actionJsonLines that fit from `offset` (clamped), with a last line saying which
 * part shows when not all of it does; the problems instead while the action is not valid.
 */
export function previewLines(
  action: UnsignedAction | SignedAction | undefined,
  problems: readonly string[],
  maxLines: number,
  offset = 0,
): string[] {
  if (action === undefined) return ['(the action is not valid yet)', ...problems.map(sanitize)];
  const lines = actionJsonLines(action);
  if (lines.length <= maxLines) return [...lines];
  const keep = Math.max(1, maxLines - 1);
  const first = Math.max(0, Math.min(offset, lines.length - keep));
  return [
    ...lines.slice(first, first + keep),
    `… lines ${first + 1}-${first + keep} of ${lines.length}; ↑/↓ scroll, p closes`,
  ];
}
