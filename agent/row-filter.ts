import type { AnyModuleSpec } from '../protocol/module-spec.js';
import { describeIssues } from '../protocol/zod-issues.js';

/** What a masked field reads as in privacy mode. */
export const MASK = '***';

export type FilteredRow = { ok: true; row: Record<string, unknown> } | { ok: false; problem: string };

/**
 * The privacy guarantee lives here, not in module code: a row is cut down to the keys the
 * result schema declares *before* it is parsed (so even a strict schema cannot be bypassed by a
 * module bug adding fields, and the bad row is reported rather than sent), then parsed, then
 * cut to `privacy.leaves`, then `privacy.sensitive` fields are masked in privacy mode.
 */
export function makeRowFilter(spec: AnyModuleSpec, isPrivacyMode: boolean): (row: unknown) => FilteredRow {
  const declared = Object.keys(spec.result.shape);
  const leaves = spec.privacy.leaves.filter((key) => declared.includes(key));
  const sensitive = new Set(spec.privacy.sensitive);
  return (row) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      return {
        ok: false,
        problem: `row is not an object (${row === null ? 'null' : Array.isArray(row) ? 'array' : typeof row})`,
      };
    }
    const picked: Record<string, unknown> = {};
    for (const key of declared) if (Object.hasOwn(row, key)) picked[key] = (row as Record<string, unknown>)[key];
    const parsed = spec.result.safeParse(picked);
    if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error, 'row') };
    const data = parsed.data;
    const out: Record<string, unknown> = {};
    for (const key of leaves) {
      if (!Object.hasOwn(data, key) || data[key] === undefined) continue;
      out[key] = isPrivacyMode && sensitive.has(key) ? MASK : data[key];
    }
    return { ok: true, row: out };
  };
}

/** Bytes a row adds to the JSON result (its text plus a separating comma). */
export function rowBytes(row: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(row)) + 1;
}
