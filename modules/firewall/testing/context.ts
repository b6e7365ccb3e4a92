import type { ModuleContext } from '../../../protocol/module-spec.js';

/** Test-only: a ModuleContext that records what a response module journals, counts and warns. */
export interface Recorded {
  ctx: ModuleContext;
  journal: Record<string, unknown>[];
  stats: Record<string, number>;
  warnings: string[];
  controller: AbortController;
}

export function recordingContext(root: string): Recorded {
  const controller = new AbortController();
  const rec: Recorded = { journal: [], stats: {}, warnings: [], controller, ctx: undefined as unknown as ModuleContext };
  rec.ctx = {
    signal: controller.signal,
    root,
    now: () => new Date('2030-01-01T00:00:00Z'),
    log: () => undefined,
    warn: (message) => rec.warnings.push(message),
    count: (stat, delta = 1) => {
      rec.stats[stat] = (rec.stats[stat] ?? 0) + delta;
    },
    journal: (entry) => rec.journal.push(entry),
  };
  return rec;
}
