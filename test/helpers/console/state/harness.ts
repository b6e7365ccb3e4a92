import type { AnyModuleSpec } from '../../../../protocol/module-spec.js';
import { ConsoleController } from '../../../../console/state/controller.js';
import type { ControllerTuning } from '../../../../console/state/controller-api.js';
import { keyEvent } from '../../../../console/state/keys.js';
import { FakeBackend } from './fake-backend.js';
import { testModules } from './fake-modules.js';
import { ManualScheduler } from './manual-scheduler.js';

/** Lets pending promise callbacks and microtasks run (the fake backend answers asynchronously). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface Harness {
  ctl: ConsoleController;
  backend: FakeBackend;
  clock: ManualScheduler;
  press(...names: string[]): Promise<void>;
  type(text: string): Promise<void>;
}

/** A started controller over a fake backend and a hand-driven clock. */
export async function startHarness(
  opts: {
    backend?: FakeBackend;
    isReadOnly?: boolean;
    modules?: ReadonlyMap<string, AnyModuleSpec>;
    tuning?: Partial<ControllerTuning>;
  } = {},
): Promise<Harness> {
  const backend = opts.backend ?? new FakeBackend();
  const clock = new ManualScheduler();
  const ctl = new ConsoleController({
    backend,
    modules: opts.modules ?? testModules,
    isReadOnly: opts.isReadOnly ?? false,
    scheduler: clock,
    tuning: { frameIntervalMs: 0, ...opts.tuning },
  });
  ctl.start();
  await settle();
  const press = async (...names: string[]): Promise<void> => {
    for (const name of names) {
      ctl.handleKey(keyEvent(name));
      await settle(2);
    }
  };
  const type = async (text: string): Promise<void> => {
    for (const ch of text) ctl.handleKey(keyEvent(ch === ' ' ? 'space' : ch));
    await settle(2);
  };
  return { ctl, backend, clock, press, type };
}
