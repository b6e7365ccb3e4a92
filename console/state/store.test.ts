import { describe, expect, it } from 'vitest';
import { FrameBatcher } from './frame-batcher.js';
import { Store } from './store.js';
import { ManualScheduler } from '../../test/helpers/console/state/manual-scheduler.js';

const microtasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Store', () => {
  it('notifies on change and not when the update returns the same state', () => {
    const store = new Store({ n: 0 });
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.set((s) => s);
    store.set({ n: 1 });
    expect(calls).toBe(1);
    off();
    store.set({ n: 2 });
    expect(calls).toBe(1);
    expect(store.getState()).toEqual({ n: 2 });
  });
});

/** A number store behind a 100 ms frame batcher on a manual clock, and every state it notified. */
function watchedStore(): { clock: ManualScheduler; batcher: FrameBatcher; store: Store<number>; seen: number[] } {
  const clock = new ManualScheduler();
  const batcher = new FrameBatcher(clock, 100);
  const store = new Store(0, batcher);
  const seen: number[] = [];
  store.subscribe(() => seen.push(store.getState()));
  return { clock, batcher, store, seen };
}

describe('FrameBatcher', () => {
  it('renders the first change at once and coalesces a burst into one frame per interval', async () => {
    const { clock, store, seen } = watchedStore();
    store.set(1);
    await microtasks();
    expect(seen).toEqual([1]);
    // 1,000 updates inside the next 100 ms: one notification when the frame is due.
    for (let i = 2; i <= 1001; i++) store.set(i);
    await microtasks();
    expect(seen).toEqual([1]);
    clock.advance(99);
    expect(seen).toEqual([1]);
    clock.advance(1);
    expect(seen).toEqual([1, 1001]);
  });

  it('flushSoon answers a keypress without waiting for the frame slot', async () => {
    const { clock, batcher, store, seen } = watchedStore();
    store.set(1);
    await microtasks();
    store.set(2);
    batcher.flushSoon();
    await microtasks();
    expect(seen).toEqual([1, 2]);
    clock.advance(100);
    expect(seen).toEqual([1, 2]);
  });

  it('puts changes to several stores made in one tick into the same frame', async () => {
    const clock = new ManualScheduler();
    const batcher = new FrameBatcher(clock, 100);
    const a = new Store('a', batcher);
    const b = new Store('b', batcher);
    const log: string[] = [];
    a.subscribe(() => log.push(`a=${a.getState()} b=${b.getState()}`));
    a.set('a1');
    b.set('b1');
    await microtasks();
    expect(log).toEqual(['a=a1 b=b1']);
  });

  it('drops pending notifications on dispose', () => {
    const clock = new ManualScheduler();
    const batcher = new FrameBatcher(clock, 100);
    const store = new Store(0, batcher);
    let calls = 0;
    store.subscribe(() => calls++);
    batcher.flush();
    store.set(1);
    store.set(2);
    batcher.dispose();
    clock.advance(1000);
    expect(calls).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });
});
