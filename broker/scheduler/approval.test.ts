import { describe, expect, it } from 'vitest';
import { BaseError } from '../../protocol/errors.js';
import { approvalOf, approvalPolicy, requiredSigners } from './approval.js';

describe('requiredSigners', () => {
  it.each([
    { name: 'an investigative module', input: ['file'], want: 1 },
    { name: 'a response module', input: ['firewall'], want: 2 },
    { name: 'a response module among others', input: ['file', 'agentdestroy'], want: 2 },
    { name: 'every response module', input: ['process', 'account'], want: 2 },
  ])('$name needs $want', ({ input, want }) => {
    expect(requiredSigners(input)).toBe(want);
  });

  it('follows the policy', () => {
    expect(requiredSigners(['firewall'], approvalPolicy({ responseSigners: 3 }))).toBe(3);
    expect(requiredSigners(['file'], approvalPolicy({ defaultSigners: 2 }))).toBe(2);
  });
});

describe('approvalOf', () => {
  it.each([
    { name: 'one signer is enough: no approval field', input: { modules: ['file'], signers: ['a'] }, want: undefined },
    { name: 'held', input: { modules: ['firewall'], signers: ['a'] }, want: { required: 2, signers: ['a'] } },
    {
      name: 'already approved',
      input: { modules: ['firewall'], signers: ['a', 'b'] },
      want: { required: 2, signers: ['a', 'b'] },
    },
  ])('$name', ({ input, want }) => {
    expect(approvalOf(input.modules, input.signers, approvalPolicy())).toEqual(want);
  });
});

describe('approvalPolicy', () => {
  it.each([
    { name: 'zero', input: { responseSigners: 0 } },
    { name: 'a fraction', input: { defaultSigners: 1.5 } },
  ])('refuses $name with CONFIG_INVALID', ({ input }) => {
    let code: string | undefined;
    try {
      approvalPolicy(input);
    } catch (err) {
      code = err instanceof BaseError ? err.code : 'uncoded';
    }
    expect(code).toBe('CONFIG_INVALID');
  });
});
