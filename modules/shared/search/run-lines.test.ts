import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MAX_LINE_BYTES } from './content.js';
import { treeHunts } from '../../../test/helpers/modules/search-tree.js';

/** What a line is, end to end with real files: any length up to MAX_LINE_BYTES matched whole, past it an error, never pieces. */

const trees = treeHunts();
afterEach(() => trees.cleanup());
const hunt = trees.hunt;

describe('long lines', () => {
  it('a 5 MiB line is matched whole: its start, its end and its length', async () => {
    const line = `BEGIN${'x'.repeat(5 * 1024 * 1024)}END\n`;
    const { paths } = await hunt(
      { '/d/long': line, '/d/cut': `BEGIN${'x'.repeat(1024)}\nEND\n` },
      { contents: ['^BEGINx+END$'] },
    );
    expect(paths).toEqual(['/d/long']);
  });

  it('a line past MAX_LINE_BYTES fails the content checks with an error that says why, and other files are still judged', async () => {
    const huge = Buffer.alloc(MAX_LINE_BYTES + 1024, 'a');
    const { paths, rec } = await hunt({ '/d/huge': huge, '/d/small': 'aaa\n' }, { contents: ['^a+$'] });
    expect(paths).toEqual(['/d/small']);
    expect(rec.warnings).toEqual([
      `/d/huge: content not matched (a line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB)`,
    ]);
    expect(rec.stats.errors).toBe(1);
  });

  it('the parameter docs (generated from params.ts, kept current by scripts/gen-module-docs.test.ts) state the same bound', () => {
    const docs = readFileSync(new URL('../../../doc/modules.md', import.meta.url), 'utf8');
    expect(docs).toContain(`lines up to ${MAX_LINE_BYTES / 1024 / 1024} MiB are matched whole`);
  });
});
