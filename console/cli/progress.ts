import type { Counters } from '../../protocol/api.js';

/**
 * Progress of a running action on stderr. On a terminal: one bar redrawn in place, cleared
 * around every result line printed to stdout. Elsewhere (logs, CI): a plain line whenever the
 * number of finished commands changes, at most once a second.
 */
export interface Progress {
  update(counters: Counters): void;
  /** Removes the bar before something else is printed to the terminal. */
  clear(): void;
  /** Puts the bar back after clear(). */
  redraw(): void;
  /** Final state: the bar is left as a line of its own. */
  finish(): void;
}

const BAR_WIDTH = 24;
const CLEAR_LINE = '\r\u001b[2K';
const PLAIN_MIN_INTERVAL_MS = 1_000;

export function progressLine(c: Counters): string {
  const failed = c.failed + c.timeout;
  return `${c.done}/${c.targeted} done · sent ${c.sent} · ok ${c.success} · failed ${failed} · found ${c.found}`;
}

function bar(c: Counters): string {
  const ratio = c.targeted === 0 ? 1 : Math.min(1, c.done / c.targeted);
  const filled = Math.round(ratio * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${progressLine(c)}`;
}

export function createProgress(out: NodeJS.WritableStream, opts: { isTty: boolean; now: () => Date }): Progress {
  return opts.isTty ? ttyProgress(out) : plainProgress(out, opts.now);
}

function ttyProgress(out: NodeJS.WritableStream): Progress {
  let current: Counters | undefined;
  let isShown = false;
  const draw = (): void => {
    if (current === undefined) return;
    out.write(`${CLEAR_LINE}${bar(current)}`);
    isShown = true;
  };
  return {
    update(counters) {
      current = counters;
      draw();
    },
    clear() {
      if (isShown) out.write(CLEAR_LINE);
      isShown = false;
    },
    redraw: draw,
    finish() {
      draw();
      if (isShown) out.write('\n');
      isShown = false;
    },
  };
}

function plainProgress(out: NodeJS.WritableStream, now: () => Date): Progress {
  let current: Counters | undefined;
  let lastDone = -1;
  let lastPrinted = '';
  let lastAtMs = Number.NEGATIVE_INFINITY;
  const print = (): void => {
    if (current === undefined) return;
    const line = progressLine(current);
    if (line === lastPrinted) return;
    out.write(`progress: ${line}\n`);
    lastPrinted = line;
    lastDone = current.done;
    lastAtMs = now().getTime();
  };
  return {
    update(counters) {
      current = counters;
      if (counters.done !== lastDone && now().getTime() - lastAtMs >= PLAIN_MIN_INTERVAL_MS) print();
    },
    clear() {},
    redraw() {},
    finish: print,
  };
}
