/**
 * One row of the adversarial suite (issue "Trust the fleet"): an attack an endpoint, a stolen
 * credential or a careless investigator could mount. `run` stages the attack against real
 * processes or a real in-process server and broker, and asserts both halves of the promise:
 * nothing the attack asked for ran, and the honest fleet still answers correctly.
 */
export interface Attack {
  name: string;
  /** Why this cannot be tested here, printed in the test name (a missing tool, no root). */
  skipReason?: string;
  timeoutMs?: number;
  run(): Promise<void>;
}
