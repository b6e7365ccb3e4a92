import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEYMAP } from './keymap.js';

// doc/console.md lists the keymap for people; this keeps it from drifting from the code.
describe('doc/console.md', () => {
  const doc = readFileSync(new URL('../doc/console.md', import.meta.url), 'utf8');
  it.each(KEYMAP.map((c) => ({ name: c.id, description: c.description })))('documents $name', ({ description }) => {
    expect(doc).toContain(`| ${description} |`);
  });
});
