import { expect, it } from 'vitest';
import { withNewCommandIds } from './context.js';

it('gives each item its own 128-bit hex command id, in order', () => {
  const items = Array.from({ length: 1000 }, (_, i) => i);
  const withIds = withNewCommandIds(items);
  expect(withIds.map((x) => x.item)).toEqual(items);
  for (const { id } of withIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
  expect(new Set(withIds.map((x) => x.id)).size).toBe(1000);
  expect(withNewCommandIds([])).toEqual([]);
});
