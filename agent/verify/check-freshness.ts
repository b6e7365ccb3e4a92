import type { SignedAction } from '../../protocol/action.js';
import { VerificationError } from '../../protocol/errors.js';
import { checkWindowLength } from '../../protocol/limits.js';

/**
 * Step 3: the validity window, widened by the skew we tolerate between the investigator's
 * clock and ours (a laptop a few seconds ahead must not be refused, a stale action must).
 * First its length, with the server's own predicate (protocol/limits.ts): a window the server
 * would refuse is refused here too, so a leaked long-lived action cannot go around the server.
 */
export function checkValidityWindow(action: SignedAction, now: Date, maxClockSkewMs: number): void {
  checkWindowLength(action);
  const validFrom = Date.parse(action.validFrom);
  const expireAfter = Date.parse(action.expireAfter);
  const nowMs = now.getTime();
  if (nowMs + maxClockSkewMs < validFrom) {
    throw new VerificationError(
      'NOT_YET_VALID',
      `action ${action.id} is valid from ${action.validFrom}; it is ${now.toISOString()} here (skew allowed: ${maxClockSkewMs} ms)`,
    );
  }
  if (nowMs - maxClockSkewMs > expireAfter) {
    throw new VerificationError(
      'EXPIRED',
      `action ${action.id} expired at ${action.expireAfter}; it is ${now.toISOString()} here (skew allowed: ${maxClockSkewMs} ms)`,
    );
  }
}

/** How long an action id must stay in the replay journal: until nobody could still accept it. */
export function replayHorizon(action: SignedAction, maxClockSkewMs: number): Date {
  return new Date(Date.parse(action.expireAfter) + maxClockSkewMs);
}
