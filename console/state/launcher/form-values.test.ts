import { describe, expect, it } from 'vitest';
import { nestedModule, probeModule, testModules } from '../../../test/helpers/console/state/fake-modules.js';
import { checkForm, formFields, initialValues, joinList, splitList, valuesFromParams } from './form-values.js';

const probe = probeModule;
const nested = nestedModule;
const fields = formFields(probe);

describe('launcher form values', () => {
  it.each([
    { name: 'comma separated', input: 'a, b ,c', want: ['a', 'b', 'c'] },
    { name: 'escaped comma', input: 'x\\,y, z', want: ['x,y', 'z'] },
    { name: 'empty entries dropped', input: ' , a,,', want: ['a'] },
    { name: 'regex with braces and escaped comma', input: '^a{1\\,3}$', want: ['^a{1,3}$'] },
  ])('splitList: $name', ({ input, want }) => {
    expect(splitList(input)).toEqual(want);
    expect(splitList(joinList(want))).toEqual(want);
  });

  it('fields and defaults come from the module cli schema', () => {
    expect(fields.map((f) => [f.key, f.kind, f.isRepeatable])).toEqual([
      ['names', 'string', true],
      ['depth', 'int', false],
      ['recursive', 'boolean', false],
      ['mode', 'enum', false],
    ]);
    expect(initialValues(fields)).toEqual({ names: '', depth: '3', recursive: false, mode: '' });
  });

  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the table's.
  it.each([
    {
      name: 'valid',
      input: { names: 'passwd', depth: '2', recursive: true, mode: 'fast' },
      want: {},
      params: { names: ['passwd'], depth: 2, recursive: true, mode: 'fast' },
    },
    {
      name: 'missing required list',
      input: { names: '', depth: '3', recursive: false, mode: '' },
      want: { names: 'expected one or more values, got nothing' },
    },
    {
      name: 'not a number',
      input: { names: 'a', depth: 'deep', recursive: false, mode: '' },
      want: { depth: 'expected a number, got "deep"' },
    },
    {
      name: 'out of range',
      input: { names: 'a', depth: '500', recursive: false, mode: '' },
      want: { depth: 'expected a number <= 100, got 500' },
    },
    {
      name: 'not an integer',
      input: { names: 'a', depth: '1.5', recursive: false, mode: '' },
      want: { depth: 'expected an integer, got 1.5' },
    },
    {
      name: 'bad enum',
      input: { names: 'a', depth: '1', recursive: false, mode: 'slow' },
      want: { mode: 'expected one of fast, thorough, got "slow"' },
    },
  ])('checkForm: $name', ({ input, want, params }) => {
    const check = checkForm(probe, fields, input);
    expect(check.fieldIssues).toEqual(want);
    expect(check.params).toEqual(params);
  });

  it('builds nested parameters through toParams', () => {
    expect(checkForm(nested, formFields(nested), { path: '/etc' }).params).toEqual({
      searches: { s1: { paths: ['/etc'] } },
    });
  });

  it.each([
    {
      name: 'flat parameters round-trip',
      input: { module: 'probe', parameters: { names: ['a,b'], depth: 4 } },
      want: { names: 'a\\,b', depth: '4', recursive: false, mode: '' },
    },
    {
      name: 'nested parameters cannot be expressed',
      input: { module: 'nested', parameters: { searches: { s1: { paths: ['/a'] } } } },
      want: undefined,
    },
    { name: 'invalid parameters', input: { module: 'probe', parameters: { names: [] } }, want: undefined },
  ])('valuesFromParams: $name', ({ input, want }) => {
    const spec = testModules.get(input.module);
    if (spec === undefined) throw new Error('fixture');
    expect(valuesFromParams(spec, input.parameters)).toEqual(want);
  });
});
