/**
 * Test-only: a small seeded generator of JSON values for canonical-JSON tests (fast-check is not
 * installed). Deterministic for a seed, so recorded outputs stay comparable across runs. It
 * favours what canonicalisation gets wrong: keys that sort differently by code unit than by
 * locale or code point (astral characters, digits, case), escapes, and awkward numbers.
 */

// The demo's mulberry32: tiny, fast and good enough to pick shapes; one copy for both.
import { seededRng } from '../../demo/prng.js';

const PIECES = [
  'a',
  'B',
  'z',
  '1',
  '10',
  '_',
  ' ',
  'é',
  'ö',
  '€',
  '\u00ff',
  '\ufb33',
  '😂',
  '\u{10000}',
  '\n',
  '\t',
  '"',
  '\\',
  '/',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u2028',
  '<',
  'A\u030a',
];
// Two literals are beyond a double on purpose (they round when parsed, as JSON input would).
/* eslint-disable no-loss-of-precision */
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e21,
  1e-7,
  9007199254740992,
  9007199254740993,
  333333333.33333329,
  1e-27,
  5e-324,
  1.7976931348623157e308,
  -4.5,
  2 ** 53 - 1,
];
/* eslint-enable no-loss-of-precision */

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T;
}

function text(rnd: () => number): string {
  let out = '';
  const n = Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) out += pick(rnd, PIECES);
  return out;
}

function number(rnd: () => number): number {
  const kind = rnd();
  if (kind < 0.3) return pick(rnd, NUMBERS);
  if (kind < 0.6) return Math.floor((rnd() - 0.5) * 2 ** 40);
  // Arbitrary doubles across the exponent range, from random bits.
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, Math.floor(rnd() * 2 ** 32));
  view.setUint32(4, Math.floor(rnd() * 2 ** 32));
  const value = view.getFloat64(0);
  return Number.isFinite(value) ? value : 0.5;
}

export function randomJson(rnd: () => number, depth = 0): unknown {
  const kind = Math.floor(rnd() * (depth >= 4 ? 5 : 7));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
    case 3:
      return number(rnd);
    case 4:
      return text(rnd);
    case 5:
      return Array.from({ length: Math.floor(rnd() * 5) }, () => randomJson(rnd, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) obj[text(rnd)] = randomJson(rnd, depth + 1);
      return obj;
    }
  }
}

/** The seed and count the recorded fixture was made with. */
export const RECORDED = { seed: 8785, count: 1500 } as const;

export function recordedInputs(): unknown[] {
  const rnd = seededRng(RECORDED.seed);
  return Array.from({ length: RECORDED.count }, () => randomJson(rnd));
}
