import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultAcl, RESPONSE_MODULES } from '../../../protocol/acl.js';
import type { Operation } from '../../../protocol/action.js';
import { BaseError } from '../../../protocol/errors.js';
import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import { Keyring } from '../../../protocol/signature.js';
import { fileModule } from '../../file/spec.js';
import { ReplayJournal } from '../../../agent/journal/replay-journal.js';
import { tempDir, testFacts } from '../../../agent/test-support.js';
import { acceptCommand, type AcceptDeps } from '../../../agent/verify/pipeline.js';
import { HuntFlagsSchema, HUNT_FLAG_HINTS, splitHuntArgv } from '../../../console/cli/hunt-flags.js';
import { deriveFlags } from '../../../console/flags/fields.js';
import { parseFlags } from '../../../console/flags/parse-flags.js';
import { signAs, unsignedAction } from '../../../test/helpers/actions.js';
import type { TestPerson } from '../../../test/helpers/keys.js';
import { armoredPublicKey, fingerprint } from '../../../test/helpers/keys.js';

/**
 * Test-only contracts every response module (firewall, process, account, agentdestroy) passes:
 * its spec is complete and its examples are real command lines, and the agent itself refuses it
 * on one investigator's signature (the two-person rule of protocol/acl.ts defaultAcl).
 */

/** Paths of object fields that no wrapper layer describes. */
function undescribed(schema: z.ZodType, path: string): string[] {
  const def = schema.def as { innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; options?: z.ZodType[] };
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, field]) => {
      const own = hasDescription(field as z.ZodType) ? [] : [`${path}.${key}`];
      return [...own, ...undescribed(field as z.ZodType, `${path}.${key}`)];
    });
  }
  const inner = [def.innerType, def.in, def.element].filter((s): s is z.ZodType => s !== undefined);
  return inner.flatMap((s) => undescribed(s, path));
}

function hasDescription(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current !== undefined) {
    if (current.description !== undefined) return true;
    const def = current.def as { innerType?: z.ZodType; in?: z.ZodType };
    current = def.innerType ?? def.in;
  }
  return false;
}

/** `mig firewall -t "x = 'y'" -ip 10.0.0.0/8` → argv, as a shell would split it. */
function argvOf(command: string): string[] {
  return (command.match(/"[^"]*"|\S+/g) ?? []).map((t) => (t.startsWith('"') ? t.slice(1, -1) : t));
}

/** What the real `mig <module>` does with an example: split hunt flags off, parse module flags, build params. */
export function paramsOfCommand(spec: AnyModuleSpec, command: string): unknown {
  const argv = argvOf(command);
  expect(argv.slice(0, 2)).toEqual(['mig', spec.name]);
  const { common, module } = splitHuntArgv(argv.slice(2), spec);
  parseFlags(HuntFlagsSchema, common, HUNT_FLAG_HINTS);
  const { values, positionals } = parseFlags(spec.cli.schema, module, spec.cli.flags, { subject: `module ${spec.name}` });
  expect(positionals).toEqual([]);
  return spec.params.parse(spec.cli.toParams(values));
}

export function specContract(spec: AnyModuleSpec): void {
  describe(`${spec.name} spec contract`, () => {
    it('is a response module: host:write, and in the ACL list that needs two signatures', () => {
      expect(spec.isResponse).toBe(true);
      expect(spec.permission).toBe('host:write');
      expect(RESPONSE_MODULES).toContain(spec.name);
    });

    it('describes every parameter, flag and result field; flags are derivable', () => {
      expect(undescribed(spec.params, 'params')).toEqual([]);
      expect(undescribed(spec.cli.schema, 'cli')).toEqual([]);
      expect(undescribed(spec.result, 'result')).toEqual([]);
      expect(deriveFlags(spec.cli.schema, spec.cli.flags).length).toBeGreaterThan(0);
    });

    it('columns and privacy name result fields, and every field may leave', () => {
      const keys = Object.keys(spec.result.shape).sort();
      for (const column of spec.columns) expect(keys).toContain(column.key);
      expect([...spec.privacy.leaves].sort()).toEqual(keys);
    });

    it.each(spec.examples.map((e) => ({ name: e.explains, command: e.command })))('example parses: $name', ({ command }) => {
      expect(() => paramsOfCommand(spec, command)).not.toThrow();
    });
  });
}

interface AclCase {
  name: string;
  signers: TestPerson[];
  operations: (op: Operation) => Operation[];
  wantCode?: string;
}

const FILE_OP: Operation = { module: 'file', parameters: { searches: { s1: { paths: ['/etc'], names: ['^passwd$'] } } } };

const aclCases: AclCase[] = [
  { name: 'alice alone', signers: ['alice'], operations: (op) => [op], wantCode: 'ACL_WEIGHT_TOO_LOW' },
  { name: 'bob alone', signers: ['bob'], operations: (op) => [op], wantCode: 'ACL_WEIGHT_TOO_LOW' },
  { name: 'alice signing twice (one distinct signer)', signers: ['alice', 'alice'], operations: (op) => [op], wantCode: 'ACL_WEIGHT_TOO_LOW' },
  { name: 'alice alone, hidden behind a file search', signers: ['alice'], operations: (op) => [FILE_OP, op], wantCode: 'ACL_WEIGHT_TOO_LOW' },
  { name: 'alice and an unknown key', signers: ['alice', 'mallory'], operations: (op) => [op], wantCode: 'UNKNOWN_SIGNER' },
  { name: 'alice and bob', signers: ['alice', 'bob'], operations: (op) => [op] },
  { name: 'bob and alice, with a file search', signers: ['bob', 'alice'], operations: (op) => [FILE_OP, op] },
];

/**
 * The agent's own acceptance pipeline, with its default ACL over alice's and bob's keys: one
 * signature is refused with ACL_WEIGHT_TOO_LOW, two distinct signers are accepted. The control
 * case (a file search alone on one signature) shows the refusal is about this module.
 */
export function twoPersonContract(spec: AnyModuleSpec, parameters: unknown): void {
  describe(`${spec.name}: the agent enforces the two-person rule`, () => {
    let dir: ReturnType<typeof tempDir>;
    let deps: AcceptDeps;
    const now = new Date('2030-06-01T12:00:00.000Z');
    const op: Operation = { module: spec.name, parameters: parameters as Operation['parameters'] };

    beforeEach(async () => {
      dir = tempDir(`acl-${spec.name}`);
      const keyring = await Keyring.fromArmored([armoredPublicKey('alice'), armoredPublicKey('bob')]);
      deps = {
        keyring,
        acl: defaultAcl(keyring.fingerprints()),
        replay: ReplayJournal.open(dir.path, { now: () => now }),
        facts: testFacts(),
        now: () => now,
        maxClockSkewMs: 60_000,
        specs: new Map([
          ['file', fileModule as unknown as AnyModuleSpec],
          [spec.name, spec],
        ]),
        platform: 'linux',
      };
    });
    afterEach(() => dir.remove());

    const envelope = (action: unknown): string =>
      JSON.stringify({ v: 1, kind: 'command', commandId: '00112233445566778899aabbccddeeff', action: JSON.stringify(action) });

    it.each(aclCases)('$name', async ({ signers, operations, wantCode }) => {
      const action = await signAs(unsignedAction({ now, operations: operations(op) }), signers);
      const got = await acceptCommand(envelope(action), deps).then(
        (accepted) => accepted,
        (err: unknown) => err,
      );
      if (wantCode !== undefined) {
        expect(got).toBeInstanceOf(BaseError);
        expect((got as BaseError).code).toBe(wantCode);
        if (wantCode === 'ACL_WEIGHT_TOO_LOW') expect((got as BaseError).message).toMatch(new RegExp(`module ${spec.name} needs signatures weighing 2`));
        return;
      }
      expect(got).not.toBeInstanceOf(Error);
      const accepted = got as Awaited<ReturnType<typeof acceptCommand>>;
      expect(accepted.signers.sort()).toEqual([await fingerprint('alice'), await fingerprint('bob')].sort());
      expect(accepted.operations.map((o) => o.module)).toContain(spec.name);
    });

    it('control: a file search alone passes on one signature', async () => {
      const action = await signAs(unsignedAction({ now, operations: [FILE_OP] }), ['alice']);
      await expect(acceptCommand(envelope(action), deps)).resolves.toMatchObject({ operations: [{ module: 'file' }] });
    });
  });
}
