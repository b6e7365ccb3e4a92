import type { CommandRecord } from '../../protocol/api.js';
import type { Verification } from './entries.js';
import { escapeControl } from './format.js';

/**
 * What the answers of one action add up to, for the summary line and the exit status: what
 * was found, and everything that makes "nothing found" less than the whole truth.
 */
export interface AnswerTally {
  /** Terminal commands seen. */
  answers: number;
  /** Answers with at least one operation that found something. */
  found: number;
  /** Commands that did not succeed: refused, failed, timed out, expired, cancelled. */
  unanswered: number;
  /** Operations that failed inside an answer that otherwise came back. */
  failedOperations: number;
  /** Warnings (unreadable paths, missing roots, truncation) over all answers. */
  warnings: number;
  /** Answers that carried at least one warning. */
  answersWithWarnings: number;
  /** The first warning seen, quoted when it is the only one. */
  firstWarning: string | undefined;
  verification: Record<Verification, number>;
}

export function emptyTally(): AnswerTally {
  return {
    answers: 0,
    found: 0,
    unanswered: 0,
    failedOperations: 0,
    warnings: 0,
    answersWithWarnings: 0,
    firstWarning: undefined,
    verification: { verified: 0, unsigned: 0, bad: 0 },
  };
}

/** Adds one terminal command (call once per command id). */
export function addToTally(tally: AnswerTally, cmd: CommandRecord, verification?: Verification): void {
  const operations = cmd.operations ?? [];
  tally.answers++;
  if (cmd.isFound === true || operations.some((op) => op.isFound)) tally.found++;
  if (cmd.status !== 'success') tally.unanswered++;
  tally.failedOperations += operations.filter((op) => op.error !== undefined).length;
  const warnings = operations.flatMap((op) => op.errors);
  tally.warnings += warnings.length;
  if (warnings.length > 0) tally.answersWithWarnings++;
  tally.firstWarning ??= warnings[0];
  if (verification !== undefined) tally.verification[verification]++;
}

/** True when something kept the search from being complete: a "nothing found" is then not proof. */
export function isIncomplete(tally: AnswerTally): boolean {
  return tally.warnings > 0 || tally.unanswered > 0 || tally.failedOperations > 0;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** `3 warnings on 2 agents, 1 agent without an answer`: what was incomplete, or '' when nothing. */
export function incompleteReasons(tally: AnswerTally): string {
  const reasons: string[] = [];
  if (tally.warnings === 1 && tally.firstWarning !== undefined)
    reasons.push(`warning: ${escapeControl(tally.firstWarning)}`);
  else if (tally.warnings > 0)
    reasons.push(
      `${plural(tally.warnings, 'warning')} on ${plural(tally.answersWithWarnings, 'agent')} (unreadable paths, missing roots or truncated results)`,
    );
  if (tally.unanswered > 0) reasons.push(`${plural(tally.unanswered, 'agent')} without an answer`);
  if (tally.failedOperations > 0) reasons.push(`${plural(tally.failedOperations, 'module')} failed`);
  return reasons.join(', ');
}

/** `found on 2 agents — 1 warning: …` or `nothing found — 3 warnings on 1 agent (…): incomplete`. */
export function verdict(tally: AnswerTally): string {
  const reasons = incompleteReasons(tally);
  if (tally.found > 0) return `found on ${plural(tally.found, 'agent')}${reasons === '' ? '' : ` — ${reasons}`}`;
  if (reasons === '') return 'nothing found';
  return `nothing found — ${reasons}: the search is incomplete`;
}
