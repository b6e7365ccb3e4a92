import { createContext } from 'react';
import type { Tone } from '../state/columns.js';

/**
 * The only place colors are named. Under NO_COLOR (https://no-color.org) every color is
 * undefined, so Ink emits none; emphasis that is not color (bold, inverse for the cursor) stays.
 */
export interface Theme {
  isColor: boolean;
  tone: Readonly<Record<Tone, string | undefined>>;
  /** The app name and view titles. */
  brand: string | undefined;
  /** Dangerous key hints and confirmation prompts. */
  danger: string | undefined;
  barDone: string | undefined;
  barLeft: string | undefined;
}

export function createTheme(isColor: boolean): Theme {
  const c = (color: string): string | undefined => (isColor ? color : undefined);
  return {
    isColor,
    tone: { normal: undefined, ok: c('green'), warn: c('yellow'), error: c('red'), dim: undefined, accent: c('cyan') },
    brand: c('cyan'),
    danger: c('red'),
    barDone: c('green'),
    barLeft: c('gray'),
  };
}

/** NO_COLOR set to anything non-empty turns colors off (chalk alone does not look at it). */
export function isColorWanted(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === '';
}

export const ThemeContext = createContext<Theme>(createTheme(false));
