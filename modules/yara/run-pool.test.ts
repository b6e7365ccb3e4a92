import { afterEach, describe, expect, it } from 'vitest';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { yaraParams } from './params.js';
import { makeRunYara } from './run.js';
import { brief, makeTree, removeTree, runScan } from '../../test/helpers/modules/yara.js';

/** Several engines scan side by side: rows, warnings and counters come out as one engine gives them. */

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) removeTree(root);
  root = undefined;
});

const RULE = 'rule hit { strings: $a = "HIT" condition: $a }';
/** Files f00..f11; every third holds the marker; a big one first so it ends last. */
function tree(): Record<string, string> {
  const files: Record<string, string> = { '/p/f00': `${'x'.repeat(4_000_000)}HIT` };
  for (let i = 1; i < 12; i++) files[`/p/f${String(i).padStart(2, '0')}`] = i % 3 === 0 ? `a HIT ${i}` : `nothing ${i}`;
  return files;
}

describe('a pool of engines', () => {
  it.each([1, 3])('rows in walk order with %i engine(s)', async (engines) => {
    root = makeTree(tree());
    const rec = recordingContext(root);
    const rows = await runScan({ rules: [RULE], paths: ['/p'] }, rec, { engines });
    expect(rows.map(brief)).toEqual(['/p/f00:hit', '/p/f03:hit', '/p/f06:hit', '/p/f09:hit']);
    expect(rec.stats).toMatchObject({ filesScanned: 12, filesMatched: 4 });
  });

  it('matchlimit stops at the limit with scans still in flight, and the run ends', async () => {
    root = makeTree(tree());
    const rec = recordingContext(root);
    const rows = await runScan({ rules: [RULE], paths: ['/p'], matchlimit: 2 }, rec, { engines: 3 });
    expect(rows.map(brief)).toEqual(['/p/f00:hit', '/p/f03:hit']);
    expect(rec.warnings).toContain('stopped at 2 matching files (matchlimit)');
  });

  it('rules that do not compile: every engine is closed and the error names the source', async () => {
    root = makeTree(tree());
    await expect(
      runScan({ rules: ['rule broken { condition: nope }'], paths: ['/p'] }, recordingContext(root), { engines: 2 }),
    ).rejects.toThrow(/rules\.0/);
  });

  it('stopped after a row: files already scanned alongside are not reported', async () => {
    root = makeTree(tree());
    const rec = recordingContext(root);
    const rows: string[] = [];
    for await (const row of makeRunYara({ engines: 3 })(
      yaraParams.parse({ rules: ['rule every_file { condition: true }'], paths: ['/p'] }),
      rec.ctx,
    )) {
      rows.push(row.path);
      rec.controller.abort();
    }
    expect(rows).toEqual(['/p/f00']);
  });
});
