// Rewrites the limits table of doc/concepts.md from protocol/limits.ts:
//   node --import tsx scripts/gen-limits-doc.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { withLimitsTable } from '../protocol/limits-table.js';

export const LIMITS_DOC_PATH = new URL('../doc/concepts.md', import.meta.url);

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(LIMITS_DOC_PATH, withLimitsTable(readFileSync(LIMITS_DOC_PATH, 'utf8')));
}
