import { describe, expect, it } from 'vitest';
import { UserError } from '../../protocol/errors.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { moduleSpecs } from '../../modules/registry.js';
import { importMigAction } from './mig-action.js';
import { thrownBy } from '../../test/helpers/error-code.js';

// importMigAction on hand-made inputs: malformed files, windows, targets, registries
// (mig-action.test.ts runs it over every fixture file).
const now = new Date('2025-01-01T00:00:00Z');
const in1h = '2025-01-01T01:00:00.000Z';

/** The registry plus `name`, answered by the spec of `as`. */
function registryWith(name: string, as: string): ReadonlyMap<string, AnyModuleSpec> {
  const spec = moduleSpecs.get(as);
  if (spec === undefined) throw new Error(`no module ${as} to stand in for ${name}`);
  return new Map([...moduleSpecs, [name, spec]]);
}

const fileOp = {
  module: 'file',
  parameters: { searches: { s1: { paths: ['/etc'], names: ['^passwd$'], options: { matchall: true } } } },
};
const minimal = { name: 'n', target: "os='linux'", operations: [fileOp], syntaxversion: 2 };

describe('importMigAction edge cases', () => {
  it.each([
    { name: 'not an object', input: 'x', wantCode: 'BAD_REQUEST', want: /^not a MIG action: \(root\): / },
    {
      name: 'no operations',
      input: { ...minimal, operations: [] },
      wantCode: 'BAD_REQUEST',
      want: /^not a MIG action: operations: /,
    },
    {
      name: 'operation without module',
      input: { ...minimal, operations: [{ parameters: {} }] },
      wantCode: 'BAD_REQUEST',
      want: /operations\.0\.module/,
    },
    {
      name: 'syntaxversion 1',
      input: { ...minimal, syntaxversion: 1 },
      wantCode: 'BAD_REQUEST',
      want: /^MIG action syntaxversion 1 is not supported, expected 2$/,
    },
    {
      name: 'no target',
      input: { ...minimal, target: ' ' },
      wantCode: 'BAD_REQUEST',
      want: /^the MIG action has no target$/,
    },
    { name: 'bad -t target', input: minimal, opts: { target: 'os = ' }, wantCode: 'TARGET_PARSE', want: /./ },
    {
      name: 'unparseable time',
      input: { ...minimal, validfrom: 'tuesday' },
      wantCode: 'BAD_REQUEST',
      want: /^validfrom: expected an RFC 3339 time, got "tuesday"$/,
    },
    {
      name: 'window ends before it starts',
      input: { ...minimal, validfrom: '2025-02-01T00:00:00Z', expireafter: '2025-01-15T00:00:00Z' },
      wantCode: 'BAD_REQUEST',
      want: /^expireafter 2025-01-15T00:00:00.000Z is not after validfrom 2025-02-01T00:00:00.000Z$/,
    },
    {
      name: 'nothing left after skipping',
      input: { ...minimal, operations: [{ module: 'nosuchmodule', parameters: {} }] },
      opts: { skipUnsupported: true },
      wantCode: 'UNKNOWN_MODULE',
      want: /^no operation is left to run/,
    },
    {
      name: 'parameters a module refuses name the operation, module and field',
      input: { ...minimal, operations: [fileOp, { module: 'netstat', parameters: {} }] },
      wantCode: 'INVALID_PARAMETERS',
      want: /^operations\[1\] \(netstat\): parameters: expected at least one check: localmac, /,
    },
    {
      // In a MIG file the name means MIG's module, whatever ours of that name does.
      name: "MIG's agentdestroy even where a module of that name is registered",
      input: { ...minimal, operations: [fileOp, { module: 'AgentDestroy', parameters: { dryrun: true } }] },
      opts: { modules: registryWith('agentdestroy', 'ping') },
      wantCode: 'UNKNOWN_MODULE',
      want: /^operations\[1\] \(AgentDestroy\): module agentdestroy is not imported: MIG's upgrade protocol/,
    },
    {
      name: 'a module named like an Object property',
      input: { ...minimal, operations: [{ module: 'constructor', parameters: {} }] },
      wantCode: 'UNKNOWN_MODULE',
      want: /^operations\[0\] \(constructor\): module constructor is not available here \(available: [a-z, ]*\bfile\b/,
    },
    {
      name: 'name too long for our actions',
      input: { ...minimal, name: 'x'.repeat(300) },
      wantCode: 'BAD_REQUEST',
      want: /^not a MIG action: name: /,
    },
    {
      name: 'threat field too long for our actions',
      input: { ...minimal, threat: { level: 'x'.repeat(65) } },
      wantCode: 'BAD_REQUEST',
      want: /^the imported action is not valid: threat\.level: /,
    },
  ])('refuses: $name', ({ input, opts, wantCode, want }) => {
    const err = thrownBy(UserError, () => importMigAction(input, { now, ...opts }));
    expect(err.code).toBe(wantCode);
    expect(err.message).toMatch(want);
  });

  it.each([
    {
      name: 'no times: now for an hour',
      input: minimal,
      opts: {},
      want: { validFrom: now.toISOString(), expireAfter: in1h },
    },
    {
      name: 'zero times: custom expiry',
      input: { ...minimal, validfrom: '0001-01-01T00:00:00Z', expireafter: '0001-01-01T00:00:00Z' },
      opts: { expiryMs: 600_000 },
      want: { validFrom: now.toISOString(), expireAfter: '2025-01-01T00:10:00.000Z' },
    },
    {
      name: 'future start kept, expiry from it',
      input: { ...minimal, validfrom: '2025-01-02T00:00:00Z' },
      opts: {},
      want: { validFrom: '2025-01-02T00:00:00.000Z', expireAfter: '2025-01-02T01:00:00.000Z' },
    },
    {
      name: 'both set and ahead: kept',
      input: { ...minimal, validfrom: '2024-12-31T23:00:00-01:00', expireafter: '2025-01-03T00:00:00Z' },
      opts: {},
      want: { validFrom: '2025-01-01T00:00:00.000Z', expireAfter: '2025-01-03T00:00:00.000Z' },
    },
  ])('window: $name', ({ input, opts, want }) => {
    const { action, warnings } = importMigAction(input, { now, ...opts });
    expect({ validFrom: action.validFrom, expireAfter: action.expireAfter }).toEqual(want);
    expect(warnings).toEqual(['target: translated "os=\'linux\'" to "os = \'linux\'"']);
  });

  it('each import gets a fresh id and a string description passes through', () => {
    const a = importMigAction({ ...minimal, description: 'free text' }, { now }).action;
    const b = importMigAction(minimal, { now }).action;
    expect(a.id).not.toBe(b.id);
    expect(a.description).toBe('free text');
    expect(b.description).toBeUndefined();
  });
});
