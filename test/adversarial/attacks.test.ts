import { describe, expect, it } from 'vitest';
import type { Attack } from './attack.js';
import { identityAttacks } from './rows/identity.js';
import { limitsAttacks } from './rows/limits.js';
import { policyAttacks } from './rows/policy.js';
import { stallAttacks } from './rows/stall.js';

/** The one table of attacks: each row says what it tries; see attack.ts for what each asserts. */
const attacks: Attack[] = [...identityAttacks, ...policyAttacks, ...stallAttacks, ...limitsAttacks];

describe('adversarial suite', () => {
  it('has one uniquely named row per attack', () => {
    expect(new Set(attacks.map((a) => a.name)).size).toBe(attacks.length);
  });
  for (const attack of attacks) {
    const title = attack.skipReason === undefined ? attack.name : `${attack.name} (skipped: ${attack.skipReason})`;
    it.skipIf(attack.skipReason !== undefined)(title, () => attack.run(), attack.timeoutMs ?? 30_000);
  }
});
