import { BaseError } from '../errors.js';

/** Codes a target can fail with; all three are part of the shared `ServiceCode` union. */
export type TargetErrorCode = 'TARGET_PARSE' | 'TARGET_UNKNOWN_FIELD' | 'TARGET_UNSUPPORTED_MIG';

/**
 * A target that cannot be parsed (or translated). Targets are attacker-controlled on agents, so
 * this is the only thing parsing ever throws; callers branch on `code`.
 */
export class TargetError extends BaseError<TargetErrorCode> {
  /** 0-based offset into the source where the problem starts; messages show it 1-based as a column. */
  readonly position: number;
  constructor(code: TargetErrorCode, message: string, position: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.position = position;
  }
}
