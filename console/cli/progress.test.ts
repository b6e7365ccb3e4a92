import { describe, expect, it } from 'vitest';
import { emptyCounters, type Counters } from '../../protocol/api.js';
import { createProgress, progressLine } from './progress.js';
import { Capture } from '../../test/helpers/console/cli/harness.js';

const zero: Counters = {
  ...emptyCounters(),
  targeted: 4,
  sent: 4,
};
const half: Counters = { ...zero, success: 1, timeout: 1, done: 2, found: 1 };
const all: Counters = { ...half, success: 3, done: 4 };

describe('progress', () => {
  it('progressLine counts timeouts as failures', () => {
    expect(progressLine(half)).toBe('2/4 done · sent 4 · ok 1 · failed 1 · found 1');
  });

  it('on a terminal: redraws one line in place, clears around output, ends with a newline', () => {
    const out = new Capture();
    const p = createProgress(out, { isTty: true, now: () => new Date(0) });
    p.update(zero);
    p.clear();
    out.write('result line\n');
    p.redraw();
    p.update(half);
    p.finish();
    expect(out.text).toBe(
      '\r\u001b[2K[------------------------] 0/4 done · sent 4 · ok 0 · failed 0 · found 0' +
        '\r\u001b[2K' +
        'result line\n' +
        '\r\u001b[2K[------------------------] 0/4 done · sent 4 · ok 0 · failed 0 · found 0' +
        '\r\u001b[2K[############------------] 2/4 done · sent 4 · ok 1 · failed 1 · found 1' +
        '\r\u001b[2K[############------------] 2/4 done · sent 4 · ok 1 · failed 1 · found 1\n',
    );
  });

  it.each([
    {
      name: 'prints when done changed and a second has passed, and the final state once',
      steps: [
        { atMs: 0, counters: zero },
        { atMs: 500, counters: half },
        { atMs: 1500, counters: half },
        { atMs: 1600, counters: all },
        { atMs: 2600, counters: all },
      ],
      want: [
        'progress: 0/4 done · sent 4 · ok 0 · failed 0 · found 0',
        'progress: 2/4 done · sent 4 · ok 1 · failed 1 · found 1',
        'progress: 4/4 done · sent 4 · ok 3 · failed 1 · found 1',
      ],
    },
    {
      name: 'finish prints a state the throttle held back',
      steps: [
        { atMs: 0, counters: zero },
        { atMs: 10, counters: half },
      ],
      want: [
        'progress: 0/4 done · sent 4 · ok 0 · failed 0 · found 0',
        'progress: 2/4 done · sent 4 · ok 1 · failed 1 · found 1',
      ],
    },
  ])('off a terminal: $name', ({ steps, want }) => {
    const out = new Capture();
    let nowMs = 0;
    const p = createProgress(out, { isTty: false, now: () => new Date(nowMs) });
    for (const step of steps) {
      nowMs = step.atMs;
      p.update(step.counters);
    }
    p.finish();
    expect(out.text.trimEnd().split('\n')).toEqual(want);
  });
});
