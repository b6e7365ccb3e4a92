import { expect, it } from 'vitest';
import { NonceCache } from './nonce-cache.js';

const MIN = 60_000;

it.each([
  { name: 'a new nonce', steps: [['n1', 0]], want: 'fresh' },
  {
    name: 'the same nonce again',
    steps: [
      ['n1', 0],
      ['n1', 9 * MIN],
    ],
    want: 'replayed',
  },
  {
    name: 'the same nonce after the ttl',
    steps: [
      ['n1', 0],
      ['n1', 10 * MIN],
    ],
    want: 'fresh',
  },
  {
    name: 'a new nonce when full of live ones',
    steps: [
      ['n1', 0],
      ['n2', 1],
      ['n3', 2],
    ],
    want: 'full',
  },
  {
    name: 'a new nonce when full but the oldest expired',
    steps: [
      ['n1', 0],
      ['n2', 1],
      ['n3', 10 * MIN],
    ],
    want: 'fresh',
  },
] as const)('$name → $want', ({ steps, want }) => {
  const cache = new NonceCache(10 * MIN, 2);
  let last = '';
  for (const [nonce, atMs] of steps) last = cache.remember(nonce, atMs);
  expect(last).toBe(want);
});
