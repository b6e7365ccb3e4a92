import { describe, expect, it } from 'vitest';
import { Lookahead, MAX_AHEAD_DIRECTORIES, POOLED_AHEAD_FILES, type AheadEntry } from './lookahead.js';

interface Dir extends AheadEntry {
  name: string;
}

/** A directory of `files` judged files, `pooled` of them sent to the reader threads. */
const dir = (name: string, files: number, pooled = files): Dir => ({
  name,
  judged: Array.from({ length: files }, (_, i) => i),
  pooled,
});

/** Pushes every directory; the names finished at each push, then at the end. */
function run(look: Lookahead<Dir>, dirs: readonly Dir[]): { dueAt: string[][]; atEnd: string[] } {
  const dueAt = dirs.map((d) => look.push(d).map((x) => x.name));
  return { dueAt, atEnd: look.drain().map((x) => x.name) };
}

describe('how far the walk runs ahead of the rows', () => {
  it('stays one directory ahead while each has files to read on the module thread', () => {
    const dirs = [dir('a', 50, 0), dir('b', 50, 10), dir('c', 3, 0)];
    expect(run(new Lookahead(), dirs)).toEqual({ dueAt: [[], ['a'], ['b']], atEnd: ['c'] });
  });

  it('runs ahead while the reader threads have all the reading, up to the pooled-file bound', () => {
    const dirs = ['a', 'b', 'c', 'd', 'e'].map((name) => dir(name, 50));
    // At most 120 pooled files in flight: a and b (100) wait, c makes 150 and a is finished.
    expect(run(new Lookahead(120), dirs)).toEqual({ dueAt: [[], [], ['a'], ['b'], ['c']], atEnd: ['d', 'e'] });
  });

  it('counts directories with nothing to read toward the directory bound only', () => {
    const dirs = ['a', 'b', 'c', 'd'].map((name) => dir(name, 0));
    expect(run(new Lookahead(POOLED_AHEAD_FILES, 2), dirs)).toEqual({
      dueAt: [[], [], ['a'], ['b']],
      atEnd: ['c', 'd'],
    });
  });

  it('falls back to one ahead, in order, as soon as a directory has files of its own to read', () => {
    const dirs = [dir('a', 50), dir('b', 50), dir('c', 0), dir('d', 5, 4)];
    expect(run(new Lookahead(), dirs)).toEqual({ dueAt: [[], [], [], ['a', 'b', 'c']], atEnd: ['d'] });
  });

  it('holds at most its bounds with the defaults: a tree of small files keeps the threads fed', () => {
    const look = new Lookahead<Dir>();
    let held = 0;
    let most = 0;
    for (let i = 0; i < 400; i++) {
      held += 1 - look.push(dir(`d${i}`, 50)).length;
      most = Math.max(most, held);
    }
    expect(most).toBe(Math.floor(POOLED_AHEAD_FILES / 50));
    expect(most).toBeLessThanOrEqual(MAX_AHEAD_DIRECTORIES);
    expect(most).toBeGreaterThan(1);
  });
});
