import type { Attack } from '../attack.js';

/** Attacks on the stall layer; rows are added by the work that closes each hole. */
export const stallAttacks: Attack[] = [];
