import { Chalk, type ChalkInstance, type ColorSupportLevel } from 'chalk';

/**
 * Colours of the one-shot CLI, one palette per stream: rows go to stdout, warnings, errors and
 * the countdown to stderr, and either may be a terminal while the other is a pipe.
 */
export interface Palette {
  /** A row of an answer that found something. */
  found(text: string): string;
  /** A row or line of an answer that found nothing: dimmed, it is context. */
  notFound(text: string): string;
  warning(text: string): string;
  error(text: string): string;
  /** The launch countdown and other "act now" prompts. */
  attention(text: string): string;
  /** Answers whose signature checked out. */
  ok(text: string): string;
  isEnabled: boolean;
}

/**
 * The colour level for a stream, decided here rather than by chalk's own detection because the
 * CLI's streams and environment are injected (tests, the console's embedded runs):
 * NO_COLOR (any non-empty value, no-color.org) wins; then FORCE_COLOR (0/false off, 1-3 or
 * empty/true on); then colour only on a terminal that is not `TERM=dumb`.
 */
export function colorLevel(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): ColorSupportLevel {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  const isTty = (stream as { isTTY?: boolean }).isTTY === true;
  return isTty && env.TERM !== 'dumb' ? 1 : 0;
}

export function createPalette(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Palette {
  const level = colorLevel(stream, env);
  return paletteOf(new Chalk({ level }));
}

/** No colour at all: files written by exports, and callers that did not ask. */
export const PLAIN: Palette = paletteOf(new Chalk({ level: 0 }));

function paletteOf(c: ChalkInstance): Palette {
  return {
    found: (t) => c.green(t),
    notFound: (t) => c.dim(t),
    warning: (t) => c.yellow(t),
    error: (t) => c.red(t),
    attention: (t) => c.bold.yellow(t),
    ok: (t) => c.green(t),
    isEnabled: c.level > 0,
  };
}
