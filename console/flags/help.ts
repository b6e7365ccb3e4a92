import type { z } from 'zod';
import type { FlagHint } from '../../protocol/module-spec.js';
import { deriveFlags, flagDefaultLabel, flagTypeLabel } from './fields.js';

/** One visible flag as help and doc/modules.md show it. */
export interface FlagRow {
  /** Every spelling, MIG's name first: `-name, -names`. */
  flag: string;
  /** `<string>...` for repeatable, `<int>`, `<a|b>`; empty for a presence flag. */
  type: string;
  description: string;
  /** The default, `required`, or empty. */
  default: string;
}

/** The rows `--help` and the module docs print, hidden flags left out, in schema order. */
export function flagRows(schema: z.ZodObject, hints?: Readonly<Record<string, FlagHint>>): FlagRow[] {
  return deriveFlags(schema, hints)
    .filter((field) => !field.isHidden)
    .map((field) => ({
      flag: field.names.map((name) => `-${name}`).join(', '),
      type: flagTypeLabel(field),
      description: field.description ?? '',
      default: field.isRequired ? 'required' : (flagDefaultLabel(field) ?? ''),
    }));
}

/** Left-aligned columns two spaces apart, no trailing blanks. */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The flags table of `--help`: FLAG, TYPE, DESCRIPTION, DEFAULT, aligned. */
export function flagsHelp(schema: z.ZodObject, hints?: Readonly<Record<string, FlagHint>>): string {
  const rows = flagRows(schema, hints).map((r) => [r.flag, r.type, r.description, r.default]);
  return `${alignColumns([['FLAG', 'TYPE', 'DESCRIPTION', 'DEFAULT'], ...rows])}\n`;
}
