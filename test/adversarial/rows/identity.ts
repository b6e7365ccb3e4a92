import type { Attack } from '../attack.js';

/** Attacks on the identity layer; rows are added by the work that closes each hole. */
export const identityAttacks: Attack[] = [];
