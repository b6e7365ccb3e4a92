import type { Attack } from '../attack.js';

/** Attacks on the limits layer; rows are added by the work that closes each hole. */
export const limitsAttacks: Attack[] = [];
