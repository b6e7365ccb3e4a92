import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { checkOperations, parameterProblemText, parameterProblems } from './check-operations.js';
import { defineModule } from './module-spec.js';

const params = z.strictObject({
  paths: z.array(z.string().startsWith('/', 'expected an absolute path')).min(1).describe('where'),
  depth: z.number().int().min(0).max(10).optional().describe('how deep'),
});
const probe = defineModule({
  name: 'probe',
  version: '1.0.0',
  summary: 'test module',
  platforms: ['linux'],
  params,
  result: z.strictObject({ path: z.string() }),
  columns: [],
  cli: { schema: params, flags: {}, toParams: (v) => v },
  privacy: { leaves: ['path'], sensitive: [], maxRows: 10, maxBytes: 1024 },
  limits: { timeoutMs: 1000 },
  examples: [],
});
const specs = new Map([['probe', probe]]);

describe('parameterProblems: one message for CLI, console, server and agent', () => {
  it('names the operation index, module, field path, what was expected and what was given', () => {
    const problems = parameterProblems(probe, { paths: ['etc'], depth: 99 }, 2);
    expect(problems.map(parameterProblemText)).toEqual([
      'operations.2.parameters.paths.0 (module probe): expected an absolute path, got "etc"',
      'operations.2.parameters.depth (module probe): expected a number <= 10, got 99',
    ]);
  });

  it('says what an unknown key is', () => {
    expect(parameterProblems(probe, { paths: ['/'], colour: 'red' }).map(parameterProblemText)).toEqual([
      'operations.0.parameters (module probe): expected only known keys, got "colour"',
    ]);
  });

  it('is empty for good parameters', () => {
    expect(parameterProblems(probe, { paths: ['/etc'] })).toEqual([]);
  });
});

describe('checkOperations', () => {
  it('lists every bad operation at once as INVALID_PARAMETERS', () => {
    const ops = [
      { module: 'probe', parameters: { paths: [] } },
      { module: 'probe', parameters: { paths: ['/ok'] } },
      { module: 'probe', parameters: { paths: 'x' } },
    ];
    expect(() => checkOperations(ops, specs)).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETERS',
        message:
          'invalid parameters: operations.0.parameters.paths (module probe): expected at least 1 value, got 0 values; operations.2.parameters.paths (module probe): expected one or more values, got "x"',
      }),
    );
  });

  it('refuses a module nobody has as UNKNOWN_MODULE', () => {
    expect(() => checkOperations([{ module: 'nope', parameters: {} }], specs)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_MODULE', message: expect.stringContaining('operations.0.module') }),
    );
  });
});
