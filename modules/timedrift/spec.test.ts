import { describe, expect, it } from 'vitest';
import { cliParams } from '../../test/helpers/modules/recording.js';
import { timedriftParams } from './params.js';
import { timedriftModule } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is timedrift's own.

const spec = timedriftModule;

describe('timedriftModule.isFound', () => {
  it.each([
    { name: 'a drifted server', rows: [{ hasDrifted: false }, { hasDrifted: true }], want: true },
    { name: 'all within', rows: [{ hasDrifted: false }], want: false },
    { name: 'only unreachable servers', rows: [{ isReachable: false }], want: false },
  ])('$name', ({ rows, want }) => {
    expect(timedriftModule.isFound?.(rows)).toBe(want);
  });
});

describe('flags', () => {
  it.each([
    { name: 'nothing: every default', input: [], want: {} },
    { name: "MIG's -drift", input: ['-drift', '500ms'], want: { drift: '500ms' } },
    {
      name: 'repeated -ntp, -all and -timeout',
      input: ['-ntp', 'a.example', '-ntp', 'b.example:1123', '-all', '-timeout', '2'],
      want: { servers: ['a.example', 'b.example:1123'], all: true, timeout: 2 },
    },
    { name: '-timeout as a duration', input: ['-timeout', '500ms'], want: { timeout: 0.5 } },
  ])('$name', ({ input, want }) => {
    expect(cliParams(spec, input).params).toEqual(want);
    expect(timedriftParams.safeParse(cliParams(spec, input).params).success).toBe(true);
  });

  it.each([
    {
      name: 'a timeout that is neither',
      input: ['-timeout', 'soon'],
      want: /-timeout: expected seconds like 2 or a duration/,
    },
    { name: 'an unknown flag', input: ['-t2'], want: /unknown flag -t2/ },
  ])('refuses $name, naming the flag', ({ input, want }) => {
    expect(() => cliParams(spec, input)).toThrow(want);
  });

  it('-t stays the hunt target', () => {
    expect(cliParams(spec, ['-t', 'local', '-drift', '1s']).common).toEqual(['-t', 'local']);
  });

  it('defaults: 5 s drift, 5 s per server, stop at the first answer', () => {
    expect(timedriftParams.parse({})).toEqual({ drift: '5s', all: false, timeout: 5 });
  });
});
