import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../protocol/zod-issues.js';
import { specContract, twoPersonContract } from '../../test/helpers/modules/firewall/response-contract.js';
import { checkForm, formFields } from '../../test/helpers/modules/console-side.js';
import { paramsOfCommand } from '../../test/helpers/modules/recording.js';
import { ExecSettingsSchema } from './settings.js';
import { execModule, execParams } from './spec.js';

const spec = execModule;

specContract(spec);
twoPersonContract(spec, { program: '/bin/echo', args: ['hi'], dryrun: true });

const issuesOf = (input: unknown): string => {
  const parsed = execParams.safeParse(input);
  return parsed.success ? '' : describeIssues(parsed.error);
};

describe('exec parameters', () => {
  it.each([
    {
      name: 'a relative program',
      input: { program: 'echo' },
      wantIssue: /program: expected an absolute program path .*got "echo"/,
    },
    {
      name: 'a program path with ..',
      input: { program: '/usr/bin/../bin/sh' },
      wantIssue: /program: expected a normalized path/,
    },
    {
      name: 'a NUL in an argument',
      input: { program: '/bin/echo', args: ['a\0b'] },
      wantIssue: /args\.0: expected an argument without NUL/,
    },
    {
      name: 'a bad variable name',
      input: { program: '/bin/echo', env: { 'A-B': '1' } },
      wantIssue: /env\.A-B: expected an environment variable name/,
    },
    {
      name: 'a user that is an option',
      input: { program: '/bin/echo', user: '-x' },
      wantIssue: /user: expected a local user name or a numeric id/,
    },
    {
      name: 'a timeout over 5 minutes',
      input: { program: '/bin/echo', timeoutSeconds: 301 },
      wantIssue: /timeoutSeconds: expected at most 300 seconds/,
    },
    {
      name: 'a regex RE2 refuses',
      input: { program: '/bin/echo', match: '(?=x)' },
      wantIssue: /match: not a valid RE2 regular expression/,
    },
  ])('refuses $name', ({ input, wantIssue }) => {
    expect(issuesOf(input)).toMatch(wantIssue);
  });

  it('defaults: no arguments, no environment, 30 s, run for real', () => {
    expect(execParams.parse({ program: '/bin/echo' })).toEqual({
      program: '/bin/echo',
      args: [],
      env: {},
      timeoutSeconds: 30,
      dryrun: false,
    });
  });
});

describe('mig exec flags', () => {
  it('-arg in order (one starting with - through =), -env NAME=VALUE, -timeout, -match, -user, -group', () => {
    expect(
      paramsOfCommand(
        spec,
        'mig exec -program /usr/bin/dpkg -arg=--verify -arg openssh-server -env LANG=C -env TZ=UTC -timeout 2m -match ^..5 -user nobody -group nogroup -dryrun',
      ),
    ).toEqual({
      program: '/usr/bin/dpkg',
      args: ['--verify', 'openssh-server'],
      env: { LANG: 'C', TZ: 'UTC' },
      timeoutSeconds: 120,
      match: '^..5',
      user: 'nobody',
      group: 'nogroup',
      dryrun: true,
    });
  });

  it.each([
    { name: '-timeout without a unit', command: 'mig exec -program /bin/echo -timeout 30', want: /timeoutSeconds/ },
    {
      name: '-env without =',
      command: 'mig exec -program /bin/echo -env LANG',
      want: /expected an environment variable name/,
    },
    { name: 'a relative -program', command: 'mig exec -program sh', want: /expected an absolute program path/ },
  ])('refuses $name before anything is signed', ({ command, want }) => {
    expect(() => paramsOfCommand(spec, command)).toThrow(want);
  });
});

describe('the agent config allow-list (moduleSettings.exec)', () => {
  it('is empty by default: nothing runs', () => {
    expect(ExecSettingsSchema.parse({})).toEqual({ programs: [], env: ['LANG', 'LC_ALL', 'TZ'] });
  });

  it.each([
    {
      name: 'a relative program',
      input: { programs: ['bin/sh'] },
      want: /programs\.0: expected an absolute program path/,
    },
    { name: 'LD_PRELOAD', input: { env: ['LD_PRELOAD'] }, want: /env\.0: LD_PRELOAD makes programs load other code/ },
    { name: 'BASH_ENV', input: { env: ['BASH_ENV'] }, want: /env\.0: BASH_ENV makes programs load other code/ },
  ])('refuses $name', ({ input, want }) => {
    const parsed = ExecSettingsSchema.safeParse(input);
    expect(parsed.success ? '' : describeIssues(parsed.error)).toMatch(want);
  });
});

describe('the console launcher form', () => {
  it('has the flags as fields and builds the parameters', () => {
    const fields = formFields(spec);
    expect(fields.map((f) => f.key)).toEqual(['program', 'arg', 'env', 'user', 'group', 'timeout', 'match', 'dryrun']);
    const check = checkForm(spec, fields, {
      program: '/usr/bin/systemctl',
      arg: 'restart, nginx',
      env: 'LANG=C',
      user: '',
      group: '',
      timeout: '1m',
      match: '',
      dryrun: true,
    });
    expect(check.params).toEqual({
      program: '/usr/bin/systemctl',
      args: ['restart', 'nginx'],
      env: { LANG: 'C' },
      timeoutSeconds: 60,
      dryrun: true,
    });
  });
});
