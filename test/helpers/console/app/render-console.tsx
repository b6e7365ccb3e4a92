import { render } from 'ink-testing-library';
import { onTestFinished } from 'vitest';
import type { AnyModuleSpec } from '../../../../protocol/module-spec.js';
import type { ControllerTuning } from '../../../../console/state/controller-api.js';
import { FakeBackend } from '../state/fake-backend.js';
import { testModules } from '../state/fake-modules.js';
import { settle } from '../state/harness.js';
import { ManualScheduler } from '../state/manual-scheduler.js';
import { App } from '../../../../console/app/App.js';

/** What a terminal sends for each named key. */
export const KEYS: Readonly<Record<string, string>> = {
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  enter: '\r',
  esc: '\u001b',
  backspace: '\u007f',
  tab: '\t',
  space: ' ',
  pageup: '\u001b[5~',
  pagedown: '\u001b[6~',
  home: '\u001b[H',
  end: '\u001b[F',
  'ctrl+c': '\u0003',
  'ctrl+u': '\u0015',
};

export interface RenderedConsole {
  backend: FakeBackend;
  clock: ManualScheduler;
  frame(): string;
  /** Sends named keys (see KEYS) or single characters, one write each, letting the app settle after each. */
  press(...keys: string[]): Promise<void>;
  /** Types text one character at a time. */
  type(text: string): Promise<void>;
  /** Runs a command from the `:` prompt (`actions`, `launch`, `inv`…), as a user jumps to a view. */
  command(name: string): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  /** Moves the fake clock (timers, debounces, live-event frames) and lets the app render. */
  advance(ms: number): Promise<void>;
  unmount(): void;
}

/**
 * Renders the whole console over a fake backend in a terminal of the given size. Call it inside a
 * test: the console is unmounted when that test finishes.
 */
export async function renderConsole(
  opts: {
    backend?: FakeBackend;
    columns?: number;
    rows?: number;
    readOnly?: boolean;
    /** Module specs; 'registry' uses the App's default (the real registry). */
    modules?: ReadonlyMap<string, AnyModuleSpec> | 'registry';
    tuning?: Partial<ControllerTuning>;
  } = {},
): Promise<RenderedConsole> {
  const backend = opts.backend ?? new FakeBackend();
  const clock = new ManualScheduler();
  const r = render(
    <App
      backend={backend}
      readOnly={opts.readOnly ?? false}
      {...(opts.modules === 'registry' ? {} : { modules: opts.modules ?? testModules })}
      isColor={false}
      scheduler={clock}
      tuning={{ frameIntervalMs: 0, ...opts.tuning }}
    />,
  );
  const resize = async (columns: number, rows: number): Promise<void> => {
    // ink-testing-library's stdout is fixed at 100 columns with no rows; give it a real size.
    Object.defineProperty(r.stdout, 'columns', { configurable: true, get: () => columns });
    Object.defineProperty(r.stdout, 'rows', { configurable: true, get: () => rows });
    r.stdout.emit('resize');
    await settle();
  };
  await resize(opts.columns ?? 80, opts.rows ?? 24);
  const press = async (...keys: string[]): Promise<void> => {
    for (const key of keys) {
      r.stdin.write(KEYS[key] ?? key);
      await settle(3);
    }
  };
  const type = async (text: string): Promise<void> => {
    for (const ch of text) r.stdin.write(ch);
    await settle(3);
  };
  const command = async (name: string): Promise<void> => {
    await press(':');
    await type(name);
    await press('enter');
  };
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await settle();
  };
  let isMounted = true;
  const unmount = (): void => {
    if (isMounted) r.unmount();
    isMounted = false;
  };
  // Every test gets its console unmounted when it ends (pass or fail), so tests need no afterEach.
  onTestFinished(unmount);
  return { backend, clock, frame: () => r.lastFrame() ?? '', press, type, command, resize, advance, unmount };
}
