import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A commit function whose calls wait until the test settles them. */
function heldCommits<T>() {
  const calls: Array<{ items: T[]; resolve: () => void; reject: (err: Error) => void }> = [];
  const commit = (items: T[]): Promise<void> =>
    new Promise((resolve, reject) => calls.push({ items, resolve, reject }));
  return { calls, commit };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('GroupCommit', () => {
  it('takes what arrived during a commit as the next group, one commit at a time', async () => {
    const { calls, commit } = heldCommits<number>();
    const group = new GroupCommit(commit);
    const settled: number[] = [];
    const add = (n: number): Promise<void> => group.add(n).then(() => void settled.push(n));
    const first = [add(1), add(2)];
    await until(() => calls.length === 1);
    const later = [add(3), add(4), add(5)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.items).toEqual([1, 2]);
    expect(settled).toEqual([]);
    expect(group.backlog).toBe(3);

    calls[0]?.resolve();
    await Promise.all(first);
    expect(settled).toEqual([1, 2]);
    await until(() => calls.length === 2);
    expect(calls[1]?.items).toEqual([3, 4, 5]);
    calls[1]?.resolve();
    await Promise.all(later);
    expect(settled).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails only the group whose commit failed; the next group still commits', async () => {
    const { calls, commit } = heldCommits<string>();
    const group = new GroupCommit(commit);
    const a = group.add('a');
    await until(() => calls.length === 1);
    const b = group.add('b');
    calls[0]?.reject(new Error('disk full'));
    await expect(a).rejects.toThrow('disk full');
    await until(() => calls.length === 2);
    calls[1]?.resolve();
    await expect(b).resolves.toBeUndefined();
  });

  it('drain() waits for every item added so far', async () => {
    const { calls, commit } = heldCommits<number>();
    const group = new GroupCommit(commit);
    void group.add(1);
    let isDrained = false;
    const drained = group.drain().then(() => (isDrained = true));
    await until(() => calls.length === 1);
    expect(isDrained).toBe(false);
    calls[0]?.resolve();
    await drained;
    expect(isDrained).toBe(true);
  });

  it('while items stream in, a new group waits gatherMs for company; at a quiet moment it commits at once', async () => {
    const { calls, commit } = heldCommits<number>();
    // Far longer than a few event-loop turns, so the test does not depend on the machine's speed.
    const group = new GroupCommit(commit, { gatherMs: 1000 });
    const quiet = group.add(1);
    await until(() => calls.length === 1);
    calls[0]?.resolve();
    await quiet;
    // A commit just ended: items arriving now, even on separate turns, wait to be one group.
    const later = [group.add(2)];
    await new Promise((resolve) => setImmediate(resolve));
    later.push(group.add(3));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1);
    expect(group.backlog).toBe(2);
    await until(() => calls.length === 2);
    expect(calls[1]?.items).toEqual([2, 3]);
    calls[1]?.resolve();
    await Promise.all(later);
  });
});
