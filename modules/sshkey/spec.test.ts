import { describe, expect, it } from 'vitest';
import { moduleParams } from '../../test/helpers/modules/console-side.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { sshkeyModule, sshkeyParams } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is sshkey's own.

const FP = 'SHA256:2UN3qv4HyGQOLsAfrP1iZ9OD0ROvzY5U0nx7p1AY5F8';

describe('sshkeyModule result', () => {
  it('key material cannot ride along in a row', () => {
    const row = { path: '/a', kind: 'private', type: 'ssh-rsa' };
    expect(sshkeyModule.result.safeParse(row).success).toBe(true);
    expect(sshkeyModule.result.safeParse({ ...row, key: 'MIIE...' }).success).toBe(false);
  });
});

describe('CLI flags', () => {
  it.each([
    { name: 'nothing: every key', input: [], want: {} },
    {
      name: 'every flag',
      input: [
        '-fingerprint',
        FP,
        '-type',
        'ssh-rsa',
        '-type',
        'ssh-ed25519-cert-v01@openssh.com',
        '-path',
        '/srv',
        '-comment',
      ],
      want: {
        fingerprints: [FP],
        types: ['ssh-rsa', 'ssh-ed25519-cert-v01@openssh.com'],
        paths: ['/srv'],
        comment: true,
      },
    },
  ])('$name', ({ input, want }) => {
    expect(moduleParams(sshkeyModule, input)).toEqual(want);
  });

  it.each([
    {
      name: 'fingerprint without SHA256:',
      input: ['-fingerprint', FP.slice(7)],
      wantMessage: /-fingerprint: expected a fingerprint as ssh-keygen -l prints it/,
    },
    {
      name: 'an MD5 fingerprint',
      input: ['-fingerprint', 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48'],
      wantMessage: /-fingerprint: expected a fingerprint/,
    },
    { name: 'a short type name', input: ['-type', 'rsa'], wantMessage: /-type: expected one of ssh-ed25519, ssh-rsa/ },
    { name: 'a relative path', input: ['-path', 'keys'], wantMessage: /-path: expected an absolute path/ },
  ])('$name', ({ input, wantMessage }) => {
    expect(() => moduleParams(sshkeyModule, input)).toThrow(wantMessage);
  });
});

describe('params errors name the field', () => {
  it.each([
    {
      name: 'path with NUL',
      input: { paths: ['/a\0b'] },
      want: 'p.paths.0: expected an absolute path (starting with /)',
    },
    {
      name: 'comment not a boolean',
      input: { comment: 'yes' },
      want: 'p.comment: Invalid input: expected boolean, received string',
    },
    { name: 'unknown field', input: { fingerprint: FP }, want: 'p: Unrecognized key: "fingerprint"' },
  ])('$name', ({ input, want }) => {
    const parsed = sshkeyParams.safeParse(input);
    expect(parsed.error === undefined ? 'valid' : describeIssues(parsed.error, 'p')).toBe(want);
  });
});
