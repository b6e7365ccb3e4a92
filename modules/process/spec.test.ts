import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../protocol/zod-issues.js';
import { specContract, twoPersonContract } from '../../test/helpers/modules/firewall/response-contract.js';
import { paramsOfCommand } from '../../test/helpers/modules/recording.js';
import { processModule, processParams } from './spec.js';

const spec = processModule;

specContract(spec);
twoPersonContract(spec, { names: ['^kinsing$'], dryrun: true });

describe('process parameters', () => {
  it.each([
    { name: 'pid 1', input: { pids: [1] }, wantIssue: /pids\.0: pid 1 \(init\) is never signalled/ },
    { name: 'pid 0', input: { pids: [0] }, wantIssue: /pids\.0: expected a process id between 2 and 4194304, got 0/ },
    { name: 'pid past PID_MAX_LIMIT', input: { pids: [4_194_305] }, wantIssue: /pids\.0: expected a process id/ },
    {
      name: 'not an RE2 regex',
      input: { names: ['(?<=x)y'] },
      wantIssue: /names\.0: not a valid RE2 regular expression/,
    },
    { name: 'empty regex', input: { names: [''] }, wantIssue: /names\.0: expected a regular expression/ },
    { name: 'neither pid nor name', input: { signal: 'KILL' }, wantIssue: /pids: expected at least one pid or name/ },
    { name: 'unknown signal', input: { pids: [42], signal: 'USR1' }, wantIssue: /signal: .*"TERM"/ },
    { name: 'unknown field', input: { pids: [42], force: true }, wantIssue: /force/ },
  ])('refuses $name', ({ input, wantIssue }) => {
    const parsed = processParams.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error === undefined ? '' : describeIssues(parsed.error)).toMatch(wantIssue);
  });

  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the table's.
  it.each([
    { name: 'defaults: TERM, for real', input: { pids: [42] }, want: { pids: [42], signal: 'TERM', dryrun: false } },
    {
      name: 'names only',
      input: { names: ['^x$'], signal: 'STOP', dryrun: true },
      want: { names: ['^x$'], signal: 'STOP', dryrun: true },
    },
  ])('accepts $name', ({ input, want }) => {
    expect(processParams.parse(input)).toEqual(want);
  });
});

describe('mig process flags', () => {
  it.each([
    {
      name: 'repeatable -name, -dryrun',
      input: 'mig process -name ^a$ -name ^b$ -dryrun',
      want: { names: ['^a$', '^b$'], signal: 'TERM', dryrun: true },
    },
    {
      name: '-pid and -signal',
      input: 'mig process -pid 42 -pid 43 -signal KILL',
      want: { pids: [42, 43], signal: 'KILL', dryrun: false },
    },
  ])('$name', ({ input, want }) => {
    expect(paramsOfCommand(spec, input)).toEqual(want);
  });

  it('-pid 1 is refused before anything is signed', () => {
    expect(() => paramsOfCommand(spec, 'mig process -pid 1')).toThrow(/pid 1 \(init\)/);
  });
});
