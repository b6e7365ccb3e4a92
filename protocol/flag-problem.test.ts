import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { flagProblem, parseArgsError, zodFlagProblems } from './flag-problem.js';

describe('one shape for every flag error', () => {
  it.each([
    {
      name: 'plain',
      input: ['-e', 'a duration like 5m', '"5x"'] as const,
      want: '-e: expected a duration like 5m, got "5x"',
    },
    {
      name: 'with a hint',
      input: ['-nmae', 'a flag of mig file', 'unknown flag -nmae', 'did you mean -name?'] as const,
      want: '-nmae: expected a flag of mig file, got unknown flag -nmae; did you mean -name?',
    },
    {
      name: '"expected" is not doubled',
      input: ['--x', 'expected a number', '"a"'] as const,
      want: '--x: expected a number, got "a"',
    },
    {
      name: 'a message that says what it got keeps its own',
      input: ['-sha2', 'expected 64 hex chars, got 3', '"abc"'] as const,
      want: '-sha2: expected 64 hex chars, got 3',
    },
  ])('$name', ({ input, want }) => {
    expect(flagProblem(...(input as unknown as [string, string, string, string?]))).toBe(want);
  });

  it('zod issues name the flag, what it wanted and what it got', () => {
    const schema = z.object({ 'http-port': z.coerce.number().int().max(65535), hosts: z.coerce.number().int() });
    const given = { 'http-port': '70000', hosts: 'many' };
    const parsed = schema.safeParse(given);
    expect(parsed.success).toBe(false);
    if (!parsed.success)
      expect(zodFlagProblems(parsed.error, given)).toEqual([
        '--http-port: expected a number <= 65535, got "70000"',
        '--hosts: expected a number, got "many"',
      ]);
  });

  it('parseArgs errors too', () => {
    let err: unknown;
    try {
      parseArgs({ args: ['--colour'], options: { color: { type: 'boolean' } }, strict: true });
    } catch (e) {
      err = e;
    }
    expect(parseArgsError(err, 'mig server').message).toBe(
      '--colour: expected a flag of mig server, got unknown flag --colour',
    );
  });
});
