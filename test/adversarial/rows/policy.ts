import type { Attack } from '../attack.js';

/** Attacks on the policy layer; rows are added by the work that closes each hole. */
export const policyAttacks: Attack[] = [];
