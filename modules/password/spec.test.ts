import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parameterProblemText, parameterProblems } from '../../protocol/check-operations.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { checkForm, formFields, moduleParams } from '../../test/helpers/modules/console-side.js';
import { specContract, twoPersonContract } from '../../test/helpers/modules/firewall/response-contract.js';
import { paramsOfCommand } from '../../test/helpers/modules/recording.js';
import { cryptMethod } from './crypt-hash.js';
import { passwordModule, passwordParams } from './spec.js';

const spec = passwordModule;
/** Hashes as an investigator makes them (openssl is in every test image: .ci/run installs it). */
const opensslHash = (method: '-6' | '-5', password: string): string =>
  execFileSync('openssl', ['passwd', method, '-stdin'], { input: password, encoding: 'utf8' }).trim();
const SHA512 = opensslHash('-6', 'correct horse battery staple');

specContract(spec);
twoPersonContract(spec, { users: ['deploy'], hash: SHA512, dryrun: true });

const issuesOf = (input: unknown): string => {
  const parsed = passwordParams.safeParse(input);
  return parsed.success ? '' : describeIssues(parsed.error);
};

describe('password hashes: crypt(3) shapes only, never plaintext', () => {
  it.each([
    { name: 'openssl passwd -6', hash: SHA512, want: 'sha512crypt' },
    { name: 'openssl passwd -5', hash: opensslHash('-5', 'x'), want: 'sha256crypt' },
    { name: 'openssl passwd -6 with rounds', hash: `$6$rounds=5000$abc$${'a'.repeat(86)}`, want: 'sha512crypt' },
    {
      name: 'yescrypt (mkpasswd -m yescrypt)',
      hash: `$y$j9T$abcdefghijklmnopqrstuv$${'A'.repeat(43)}`,
      want: 'yescrypt',
    },
    { name: 'bcrypt', hash: `$2b$12$${'a'.repeat(53)}`, want: 'bcrypt' },
  ])('accepts $name', ({ hash, want }) => {
    expect(cryptMethod(hash)).toBe(want);
    expect(passwordParams.parse({ users: ['deploy'], hash })).toEqual({
      users: ['deploy'],
      hash,
      expire: false,
      dryrun: false,
    });
  });

  it.each([
    {
      name: 'a plaintext password',
      hash: 'Summer2026!',
      want: /hash: expected a crypt\(3\) hash .*got 11 characters \(not repeated here/,
    },
    { name: 'a plaintext that starts like a hash', hash: '$6$hunter2', want: /hash: expected a crypt\(3\) hash/ },
    { name: 'a hash cut short', hash: SHA512.slice(0, -1), want: /hash: expected a crypt\(3\) hash/ },
    { name: 'a hash with a newline after it', hash: `${SHA512}\nroot::0:0`, want: /hash: expected a crypt\(3\) hash/ },
    { name: 'MD5 crypt', hash: `$1$abcdefgh$${'a'.repeat(22)}`, want: /not MD5 or DES crypt/ },
    { name: 'DES crypt', hash: 'abJnggxhB/yWI', want: /not MD5 or DES crypt/ },
    { name: 'a locked hash', hash: `!${SHA512}`, want: /to lock an account, use the account module/ },
  ])('refuses $name, without repeating it', ({ hash, want }) => {
    const issues = issuesOf({ users: ['deploy'], hash });
    expect(issues).toMatch(want);
    expect(issues).not.toContain(hash);
  });

  it.each([
    { name: 'nothing to change', input: { users: ['deploy'] }, want: /hash: expected a hash, expire, or both/ },
    { name: 'no account', input: { users: [], expire: true }, want: /users: expected at least one account/ },
    {
      name: 'an option in disguise',
      input: { users: ['--help'], expire: true },
      want: /users\.0: expected a local account name .*"--help"/,
    },
    {
      name: 'a name with a colon',
      input: { users: ['a:b'], expire: true },
      want: /users\.0: expected a local account name/,
    },
  ])('refuses $name', ({ input, want }) => {
    expect(issuesOf(input)).toMatch(want);
  });
});

describe('mig password flags', () => {
  it('repeatable -user, -hash, -expire, -dryrun', () => {
    expect(paramsOfCommand(spec, `mig password -user a -user b -hash '${SHA512}' -expire -dryrun`)).toEqual({
      users: ['a', 'b'],
      hash: SHA512,
      expire: true,
      dryrun: true,
    });
  });

  it.each([
    { name: 'a plaintext', hash: 'Summer2026' },
    { name: 'MD5 crypt', hash: `$1$abcdefgh$${'a'.repeat(22)}` },
    { name: 'a locked hash', hash: `!${SHA512}` },
  ])('-hash with $name is refused as mig parses it (the server and agents say the same), never echoed', ({ hash }) => {
    let message = '';
    try {
      moduleParams(spec, ['-user', 'a', '-hash', hash]);
    } catch (err) {
      message = err instanceof Error ? err.message : String(err);
    }
    expect(message).toMatch(/-hash: expected .*got \d+ characters/);
    expect(message).not.toContain(hash);
    const problems = parameterProblems(spec, { users: ['a'], hash }).map((p) => parameterProblemText(p));
    expect(problems.join('\n')).not.toContain(hash);
  });
});

describe('the console launcher form', () => {
  const fields = formFields(spec);

  it('has the flags as fields and builds the parameters', () => {
    expect(fields.map((f) => f.key)).toEqual(['user', 'hash', 'expire', 'dryrun']);
    const check = checkForm(spec, fields, { user: 'deploy, ops', hash: SHA512, expire: true, dryrun: false });
    expect(check.params).toEqual({ users: ['deploy', 'ops'], hash: SHA512, expire: true, dryrun: false });
  });

  it('refuses a plaintext hash without showing it', () => {
    const check = checkForm(spec, fields, { user: 'deploy', hash: 'Summer2026', expire: false, dryrun: false });
    expect(check.params).toBeUndefined();
    const shown = JSON.stringify([check.fieldIssues, check.rootIssues]);
    expect(shown).toMatch(/expected a crypt\(3\) hash/);
    expect(shown).not.toContain('Summer2026');
  });
});
