import { flagProblem } from '../../protocol/flag-problem.js';
import type { FlagField } from './fields.js';

export type Converted = { ok: true; value: string | number | boolean } | { ok: false; problem: string };

// Strict decimal (optionally signed, fraction, exponent): Number('') is 0 and Number('0x10') is 16,
// neither of which anyone typing a flag means.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** One flag value from text to the field's scalar type; a problem names the flag and what was given. */
export function convertValue(field: FlagField, flag: string, text: string): Converted {
  switch (field.kind) {
    case 'string':
      return { ok: true, value: text };
    case 'boolean':
      if (text === 'true') return { ok: true, value: true };
      if (text === 'false') return { ok: true, value: false };
      return { ok: false, problem: flagProblem(flag, 'true or false', JSON.stringify(text)) };
    case 'enum':
      if (field.options.includes(text)) return { ok: true, value: text };
      return { ok: false, problem: flagProblem(flag, `one of ${field.options.join(', ')}`, JSON.stringify(text)) };
    case 'number':
    case 'int':
      return convertNumber(field.kind, flag, text);
  }
}

function convertNumber(kind: 'number' | 'int', flag: string, text: string): Converted {
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) return { ok: false, problem: flagProblem(flag, 'a number', JSON.stringify(text)) };
  if (kind === 'int' && !Number.isInteger(value)) {
    return { ok: false, problem: flagProblem(flag, 'an integer', text) };
  }
  return { ok: true, value };
}
