import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_LIMITS } from '../protocol/limits.js';
import { limitsTable, withLimitsTable } from '../protocol/limits-table.js';
import { LIMITS_DOC_PATH } from './gen-limits-doc.js';

describe('doc/concepts.md limits table', () => {
  it('matches protocol/limits.ts (run: node --import tsx scripts/gen-limits-doc.ts)', () => {
    const doc = readFileSync(LIMITS_DOC_PATH, 'utf8');
    expect(withLimitsTable(doc)).toBe(doc);
  });

  it('shows the numbers themselves', () => {
    expect(limitsTable()).toContain(
      `| ${ACTION_LIMITS.maxActionBytes / 1024} KiB (${ACTION_LIMITS.maxActionBytes} bytes) |`,
    );
    expect(limitsTable()).toContain('| at most 7d |');
  });
});
