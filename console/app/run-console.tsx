import { render } from 'ink';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { UserError } from '../../protocol/errors.js';
import type { ConsoleBackend } from '../state/backend.js';
import type { FleetOnQuit } from '../state/intents.js';
import { App } from './App.js';

/** xterm's alternate screen: the console leaves the shell's scrollback untouched. */
export const ENTER_ALT_SCREEN = '\u001b[?1049h';
export const LEAVE_ALT_SCREEN = '\u001b[?1049l';
/** xterm's bracketed paste: pasted text comes between markers, so a newline in it is not an Enter. */
export const BRACKETED_PASTE_ON = '\u001b[?2004h';
export const BRACKETED_PASTE_OFF = '\u001b[?2004l';

export interface RunConsoleOptions {
  readOnly?: boolean;
  modules?: ReadonlyMap<string, AnyModuleSpec>;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Signals that close the console (screen restored first). Default SIGINT, SIGTERM, SIGHUP. */
  signals?: readonly NodeJS.Signals[];
  /** Route stray console.log output around the UI (default true; test runners own `console`). */
  patchConsole?: boolean;
}

/**
 * Runs the console full screen until the person quits (q, :q, Ctrl+C) or a signal arrives, then
 * restores the screen. Agents and in-flight actions on a server elsewhere keep running: quitting
 * only closes the view. Resolves with what the person chose for a server and agent this console
 * started itself (backend.embeddedFleet): 'keep' them running or 'stop' them (also the answer
 * to a signal).
 *
 * Start the process with NODE_ENV=production: React's development build renders noticeably
 * slower, and NODE_ENV must be set before React is first imported, so it cannot be set here.
 */
export async function runConsole(backend: ConsoleBackend, opts: RunConsoleOptions = {}): Promise<FleetOnQuit> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  if (stdin.isTTY !== true) {
    throw new UserError(
      'BAD_REQUEST',
      'the console needs an interactive terminal',
      'use the one-shot commands (mig file ..., mig action ...) in scripts and pipes',
    );
  }
  let isRestored = false;
  const restore = (): void => {
    if (isRestored) return;
    isRestored = true;
    stdout.write(BRACKETED_PASTE_OFF + LEAVE_ALT_SCREEN);
  };
  stdout.write(ENTER_ALT_SCREEN + BRACKETED_PASTE_ON);
  // A crash still runs 'exit' listeners synchronously: the terminal is never left on the alternate screen.
  process.once('exit', restore);
  const signals = opts.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let instance: ReturnType<typeof render> | undefined;
  // A signal or a crash stops a fleet this console started: only an explicit choice keeps it.
  let fleet: FleetOnQuit = 'stop';
  const onQuit = (choice: FleetOnQuit | undefined): void => {
    fleet = choice ?? 'stop';
  };
  const onSignal = (): void => instance?.unmount();
  try {
    instance = render(
      <App
        backend={backend}
        readOnly={opts.readOnly ?? false}
        onQuit={onQuit}
        {...(opts.modules === undefined ? {} : { modules: opts.modules })}
      />,
      {
        stdin,
        stdout,
        stderr: opts.stderr ?? process.stderr,
        exitOnCtrlC: false,
        patchConsole: opts.patchConsole ?? true,
        // Our frame batcher paces data at 10 frames/s; Ink must not add its own delay to a keypress.
        maxFps: 60,
      },
    );
    for (const signal of signals) process.once(signal, onSignal);
    await instance.waitUntilExit();
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('exit', restore);
    instance?.cleanup();
    restore();
  }
  return fleet;
}
