// Walking: the file module's directory walk against find(1) over the same 20k-file tree.
import { join } from 'node:path';
import { benchDir, medianMs, removeDir, runOurs, settle, shell, smallTree } from './file-data.js';
import type { BenchRow } from './types.js';

const FILES = 20_000;

export default async function bench(): Promise<BenchRow[]> {
  const dir = benchDir();
  try {
    smallTree(join(dir, 'tree'), FILES);
    settle();
    const tree = join(dir, 'tree');
    const expected = Number(shell(`find ${tree} -type f | wc -l`));
    let seen = 0;
    // A size filter that matches nothing: every file is stat'ed, none is read.
    const stat = await medianMs(5, async () => {
      seen = (await runOurs(dir, { s1: { paths: ['/tree'], sizes: ['>1t'] } })).stats.filesChecked ?? 0;
    });
    if (seen !== expected) throw new Error(`walk saw ${seen} files, find saw ${expected}`);
    const findStat = await medianMs(5, () => shell(`find ${tree} -printf '%s\\n' | wc -l`));
    // A name filter: judged from the directory entry alone, no stat at all.
    const name = await medianMs(5, () => runOurs(dir, { s1: { paths: ['/tree'], names: ['^nothing-by-this-name$'] } }));
    const findName = await medianMs(5, () => shell(`find ${tree} -name nothing-by-this-name | wc -l`));
    return [
      {
        name: `walk + stat, ${FILES} files`,
        ours: stat,
        reference: "find -printf '%s\\n' | wc -l",
        referenceValue: findStat,
        unit: 'ms',
        note: 'size filter: every file stat()ed',
      },
      {
        name: `walk, name filter, ${FILES} files`,
        ours: name,
        reference: 'find -name x | wc -l',
        referenceValue: findName,
        unit: 'ms',
        note: 'names judged before any stat',
      },
    ];
  } finally {
    removeDir(dir);
  }
}
