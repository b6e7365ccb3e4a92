import { afterEach } from 'vitest';

interface Closable {
  close(): Promise<void>;
}

/**
 * Tracks what a test file's tests open and do not always close (a journal left open to play a
 * crash, one reopened to read it back): each is closed after its test. Left to the garbage
 * collector, an open FileHandle is closed with a DEP0137 warning, and a later Node throws.
 * Returns `track`, which hands back what it is given.
 */
export function closedAfterEach(): <T extends Closable>(item: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((item) => item.close()));
  });
  return (item) => {
    open.push(item);
    return item;
  };
}
