import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../protocol/zod-issues.js';
import { specContract, twoPersonContract } from '../../test/helpers/modules/firewall/response-contract.js';
import { paramsOfCommand } from '../../test/helpers/modules/recording.js';
import { accountModule, accountParams } from './spec.js';

const spec = accountModule;

specContract(spec);
twoPersonContract(spec, { users: ['deploy'], op: 'lock', dryrun: true });

describe('account parameters', () => {
  it.each([
    { name: 'root', input: { users: ['deploy', 'root'], op: 'lock' }, wantIssue: /users\.1: root is never locked/ },
    {
      name: 'an option in disguise',
      input: { users: ['--help'], op: 'lock' },
      wantIssue: /users\.0: expected a local account name .*got "--help"/,
    },
    {
      name: 'a path',
      input: { users: ['../etc/x'], op: 'lock' },
      wantIssue: /users\.0: expected a local account name/,
    },
    {
      name: 'too long',
      input: { users: ['a'.repeat(33)], op: 'lock' },
      wantIssue: /users\.0: expected a local account name/,
    },
    { name: 'no account', input: { users: [], op: 'lock' }, wantIssue: /users: expected at least one account/ },
    { name: 'no op', input: { users: ['deploy'] }, wantIssue: /op: / },
    { name: 'unknown op', input: { users: ['deploy'], op: 'delete' }, wantIssue: /op: .*"lock"/ },
  ])('refuses $name', ({ input, wantIssue }) => {
    const parsed = accountParams.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error === undefined ? '' : describeIssues(parsed.error)).toMatch(wantIssue);
  });

  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    {
      name: 'machine account',
      input: { users: ['WS01$'], op: 'unlock' },
      want: { users: ['WS01$'], op: 'unlock', dryrun: false },
    },
    {
      name: 'dotted name, dry run',
      input: { users: ['svc.backup'], op: 'lock', dryrun: true },
      want: { users: ['svc.backup'], op: 'lock', dryrun: true },
    },
  ])('accepts $name', ({ input, want }) => {
    expect(accountParams.parse(input)).toEqual(want);
  });
});

// Alike on purpose (duplicates): each module's spec test ends its parameter table and opens its flag table the same way
// (firewall's too); the rows are the module's own.
describe('mig account flags', () => {
  it.each([
    {
      name: 'repeatable -user',
      input: 'mig account -user a -user b -op lock',
      want: { users: ['a', 'b'], op: 'lock', dryrun: false },
    },
    {
      name: '-dryrun',
      input: 'mig account -user a -op unlock -dryrun',
      want: { users: ['a'], op: 'unlock', dryrun: true },
    },
  ])('$name', ({ input, want }) => {
    expect(paramsOfCommand(spec, input)).toEqual(want);
  });

  it('-user root is refused before anything is signed', () => {
    expect(() => paramsOfCommand(spec, 'mig account -user root -op lock')).toThrow(/root is never locked/);
  });
});
