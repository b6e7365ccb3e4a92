import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESPONSE_MODULES } from '../../../../protocol/limits.js';
import type { Operation } from '../../../../protocol/action.js';
import { BaseError } from '../../../../protocol/errors.js';
import type { AnyModuleSpec } from '../../../../protocol/module-spec.js';
import { fileModule } from '../../../../modules/file/spec.js';
import { testAcceptDeps } from '../../agent/accept-deps.js';
import { closedAfterEach } from '../../closed-after-each.js';
import { tempDir } from '../../agent/probe.js';
import { acceptCommand, type AcceptDeps } from '../../../../agent/verify/pipeline.js';
import { signAs, unsignedAction } from '../../actions.js';
import type { TestPerson } from '../../keys.js';
import { fingerprint } from '../../keys.js';

/**
 * Test-only contracts every response module (firewall, process, account, agentdestroy) passes:
 * its spec declares it a response module, and the agent itself refuses it on one investigator's
 * signature (the two-person rule of protocol/acl.ts defaultAcl).
 */

/**
 * What only response modules owe; the contract every module owes (described fields, strict result,
 * columns, examples that parse) is checked for all of them in modules/registry.test.ts.
 */
export function specContract(spec: AnyModuleSpec): void {
  describe(`${spec.name} spec contract`, () => {
    it('is a response module, and in the ACL list that needs two signatures', () => {
      expect(RESPONSE_MODULES).toContain(spec.name);
    });

    it('every result field may leave the host: what was changed is always reported', () => {
      expect([...spec.privacy.leaves].sort()).toEqual(Object.keys(spec.result.shape).sort());
    });
  });
}

interface AclCase {
  name: string;
  signers: TestPerson[];
  operations: (op: Operation) => Operation[];
  wantCode?: string;
}

const FILE_OP: Operation = {
  module: 'file',
  parameters: { searches: { s1: { paths: ['/etc'], names: ['^passwd$'] } } },
};

const aclCases: AclCase[] = [
  { name: 'alice alone', signers: ['alice'], operations: (op) => [op], wantCode: 'ACL_WEIGHT_TOO_LOW' },
  { name: 'bob alone', signers: ['bob'], operations: (op) => [op], wantCode: 'ACL_WEIGHT_TOO_LOW' },
  {
    name: 'alice signing twice (one distinct signer)',
    signers: ['alice', 'alice'],
    operations: (op) => [op],
    wantCode: 'ACL_WEIGHT_TOO_LOW',
  },
  {
    name: 'alice alone, hidden behind a file search',
    signers: ['alice'],
    operations: (op) => [FILE_OP, op],
    wantCode: 'ACL_WEIGHT_TOO_LOW',
  },
  {
    name: 'alice and an unknown key',
    signers: ['alice', 'mallory'],
    operations: (op) => [op],
    wantCode: 'UNKNOWN_SIGNER',
  },
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
    const track = closedAfterEach();

    beforeEach(async () => {
      dir = tempDir(`acl-${spec.name}`);
      const fresh = await testAcceptDeps(
        dir.path,
        now,
        new Map([
          ['file', fileModule],
          [spec.name, spec],
        ]),
      );
      track(fresh.replay);
      deps = fresh;
    });
    afterEach(() => dir.remove());

    const envelope = (action: unknown): string =>
      JSON.stringify({
        v: 1,
        kind: 'command',
        commandId: '00112233445566778899aabbccddeeff',
        action: JSON.stringify(action),
      });

    it.each(aclCases)('$name', async ({ signers, operations, wantCode }) => {
      const action = await signAs(unsignedAction({ now, operations: operations(op) }), signers);
      const got = await acceptCommand(envelope(action), deps).then(
        (accepted) => accepted,
        (err: unknown) => err,
      );
      if (wantCode !== undefined) {
        expect(got).toBeInstanceOf(BaseError);
        expect((got as BaseError).code).toBe(wantCode);
        if (wantCode === 'ACL_WEIGHT_TOO_LOW')
          expect((got as BaseError).message).toMatch(new RegExp(`module ${spec.name} needs signatures weighing 2`));
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
