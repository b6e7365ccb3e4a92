import { setFlagsFromString } from 'node:v8';

/**
 * How much bytecode a function runs between V8's tier-up checks (V8's default: 67,584). An
 * agent mostly waits, and each command runs a wide path once (MQTT, openpgp's packet parser,
 * zod, canonical JSON, journals, the worker hand-off): at the default budget, V8 kept compiling
 * that path with TurboFan, on its own threads, for thousands of commands: about 0.6 ms of CPU per
 * command in scripts/agent-cpu.ts after 100 warm-up commands (doc/performance.md, session 6),
 * for code that runs a few times a minute on a real host. At 16× the budget only code that
 * really is hot gets optimized: a module's inner loop (a content search over a tree) reaches
 * it within its first milliseconds and ran no slower in the same measurement.
 */
export const AGENT_INTERRUPT_BUDGET = 1_048_576;

/**
 * Tunes V8 for the agent's process (`mig agent`, the single-file agent): call it before the
 * agent starts, in a process that is the agent and nothing else (flags are process-wide, module
 * worker threads started later share them). V8 reads this flag as each function's budget is
 * (re)set, so setting it at run time works; Node warns that flags changed after start-up are
 * not guaranteed, which is why only this one, a tuning knob with no effect on what code does.
 */
export function tuneV8ForAgent(): void {
  setFlagsFromString(`--interrupt-budget=${AGENT_INTERRUPT_BUDGET}`);
}
