import { describe, expect, it } from 'vitest';
import { moduleParams } from '../../console/cli/hunt.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { exampleArgv, undescribed } from '../pkg/testing.js';
import { sshkeyModule, sshkeyParams } from './spec.js';

const FP = 'SHA256:2UN3qv4HyGQOLsAfrP1iZ9OD0ROvzY5U0nx7p1AY5F8';

describe('sshkeyModule spec', () => {
  it('describes every parameter, flag and result field', () => {
    expect(undescribed(sshkeyModule.params, 'params')).toEqual([]);
    expect(undescribed(sshkeyModule.cli.schema, 'cli')).toEqual([]);
    expect(undescribed(sshkeyModule.result, 'result')).toEqual([]);
  });

  it('columns, leaves and sensitive fields name real result fields; the result is strict', () => {
    const keys = Object.keys(sshkeyModule.result.shape);
    for (const column of sshkeyModule.columns) expect(keys).toContain(column.key);
    for (const key of [...sshkeyModule.privacy.leaves, ...sshkeyModule.privacy.sensitive]) expect(keys).toContain(key);
    expect(sshkeyModule.result.safeParse({ path: '/a', kind: 'private', type: 'ssh-rsa', key: 'MIIE...' }).success).toBe(false);
  });

  it.each(sshkeyModule.examples.map((e) => ({ name: e.explains, command: e.command })))('example parses as the CLI parses it: $name', ({ command }) => {
    expect(sshkeyParams.safeParse(moduleParams(sshkeyModule, exampleArgv(command, 'sshkey'))).success).toBe(true);
  });
});

describe('CLI flags', () => {
  it.each([
    { name: 'nothing: every key', input: [], want: {} },
    { name: 'every flag', input: ['-fingerprint', FP, '-type', 'ssh-rsa', '-type', 'ssh-ed25519-cert-v01@openssh.com', '-path', '/srv', '-comment'], want: { fingerprints: [FP], types: ['ssh-rsa', 'ssh-ed25519-cert-v01@openssh.com'], paths: ['/srv'], comment: true } },
  ])('$name', ({ input, want }) => {
    expect(moduleParams(sshkeyModule, input)).toEqual(want);
  });

  it.each([
    { name: 'fingerprint without SHA256:', input: ['-fingerprint', FP.slice(7)], wantMessage: /-fingerprint: expected a fingerprint as ssh-keygen -l prints it/ },
    { name: 'an MD5 fingerprint', input: ['-fingerprint', 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48'], wantMessage: /-fingerprint: expected a fingerprint/ },
    { name: 'a short type name', input: ['-type', 'rsa'], wantMessage: /-type: expected one of ssh-ed25519, ssh-rsa/ },
    { name: 'a relative path', input: ['-path', 'keys'], wantMessage: /-path: expected an absolute path/ },
  ])('$name', ({ input, wantMessage }) => {
    expect(() => moduleParams(sshkeyModule, input)).toThrow(wantMessage);
  });
});

describe('params errors name the field', () => {
  it.each([
    { name: 'path with NUL', input: { paths: ['/a\0b'] }, want: 'p.paths.0: expected an absolute path (starting with /)' },
    { name: 'comment not a boolean', input: { comment: 'yes' }, want: 'p.comment: Invalid input: expected boolean, received string' },
    { name: 'unknown field', input: { fingerprint: FP }, want: 'p: Unrecognized key: "fingerprint"' },
  ])('$name', ({ input, want }) => {
    const parsed = sshkeyParams.safeParse(input);
    expect(parsed.error === undefined ? 'valid' : describeIssues(parsed.error, 'p')).toBe(want);
  });
});
