import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Acl } from '../../protocol/acl.js';
import { ACTION_LIMITS } from '../../protocol/limits.js';
import type { SignedAction } from '../../protocol/action.js';
import { BaseError } from '../../protocol/errors.js';
import { moduleSpecs } from '../../modules/registry.js';
import { signAs, signedAction, unsignedAction, type TestActionOptions } from '../../test/helpers/actions.js';
import { fingerprint } from '../../test/helpers/keys.js';
import { ReplayJournal } from '../journal/replay-journal.js';
import { testAcceptDeps } from '../../test/helpers/agent/accept-deps.js';
import { probeSpecs, tempDir } from '../../test/helpers/agent/probe.js';
import { MAX_ENVELOPE_BYTES } from './parse-envelope.js';
import { acceptCommand, type AcceptDeps } from './pipeline.js';
import { closedAfterEach } from '../../test/helpers/closed-after-each.js';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const COMMAND_ID = '00112233445566778899aabbccddeeff';
const SPECS = new Map([...moduleSpecs, ...probeSpecs]);
const at = (offsetMs: number): Date => new Date(NOW.getTime() + offsetMs);

/** What the server would send: the signed action as a JSON string in a command envelope. */
function envelope(action: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ v: 1, kind: 'command', commandId: COMMAND_ID, action: JSON.stringify(action), ...extra });
}
const signed = (signers: Parameters<typeof signedAction>[0], opts: TestActionOptions = {}): Promise<SignedAction> =>
  signedAction(signers, { now: NOW, ...opts });

let dir: ReturnType<typeof tempDir>;
let deps: AcceptDeps;
let twoPersonAcl: Acl;
const track = closedAfterEach();

beforeEach(async () => {
  dir = tempDir('pipeline');
  const weights = { [await fingerprint('alice')]: 1, [await fingerprint('bob')]: 1 };
  twoPersonAcl = { default: { minimumWeight: 2, weights } };
  const fresh = await testAcceptDeps(dir.path, NOW, SPECS);
  track(fresh.replay);
  deps = fresh;
});
afterEach(() => dir.remove());

interface RefusalCase {
  name: string;
  input: () => Promise<string>;
  deps?: () => Partial<AcceptDeps>;
  wantCode: string;
  wantMessage?: RegExp;
}

const refusals: RefusalCase[] = [
  { name: 'oversize payload', input: async () => 'x'.repeat(MAX_ENVELOPE_BYTES + 1), wantCode: 'PAYLOAD_TOO_LARGE' },
  { name: 'payload not JSON', input: async () => '{"v":1,', wantCode: 'MALFORMED_COMMAND' },
  {
    name: 'wrong kind (a heartbeat)',
    input: async () => JSON.stringify({ v: 1, kind: 'heartbeat', commandId: COMMAND_ID }),
    wantCode: 'MALFORMED_COMMAND',
  },
  {
    name: 'a cancel is not a command',
    input: async () => JSON.stringify({ v: 1, kind: 'cancel', commandId: COMMAND_ID }),
    wantCode: 'MALFORMED_COMMAND',
  },
  {
    name: 'extra envelope field',
    input: async () => envelope(await signed(['alice']), { priority: 'high' }),
    wantCode: 'MALFORMED_COMMAND',
  },
  {
    name: 'action not JSON',
    input: async () => JSON.stringify({ v: 1, kind: 'command', commandId: COMMAND_ID, action: 'rm -rf /' }),
    wantCode: 'MALFORMED_ACTION',
  },
  {
    name: 'action is a JSON array',
    input: async () => JSON.stringify({ v: 1, kind: 'command', commandId: COMMAND_ID, action: '[]' }),
    wantCode: 'MALFORMED_ACTION',
  },
  {
    name: 'extra unsigned field in the action',
    input: async () => envelope({ ...(await signed(['alice'])), runAs: 'root' }),
    wantCode: 'MALFORMED_ACTION',
    wantMessage: /runAs/,
  },
  {
    name: 'no signature',
    input: async () => envelope({ ...(await signed(['alice'])), signatures: [] }),
    wantCode: 'NO_SIGNATURE',
  },
  {
    name: 'bad signature (target tampered)',
    input: async () => envelope({ ...(await signed(['alice'])), target: "os = 'linux'" }),
    wantCode: 'BAD_SIGNATURE',
  },
  {
    name: 'bad signature (parameters tampered)',
    input: async () => {
      const action = await signed(['alice']);
      return envelope({
        ...action,
        operations: [{ module: 'file', parameters: { searches: { s1: { paths: ['/'], names: ['.'] } } } }],
      });
    },
    wantCode: 'BAD_SIGNATURE',
  },
  {
    name: 'signature is not armored',
    input: async () => envelope({ ...(await signed(['alice'])), signatures: ['hello'] }),
    wantCode: 'BAD_SIGNATURE',
  },
  { name: 'unknown key (mallory)', input: async () => envelope(await signed(['mallory'])), wantCode: 'UNKNOWN_SIGNER' },
  {
    name: 'one good and one unknown signature',
    input: async () => envelope(await signed(['alice', 'mallory'])),
    wantCode: 'UNKNOWN_SIGNER',
  },
  {
    name: 'expired',
    input: async () => envelope(await signed(['alice'], { validFrom: at(-7_200_000), expireAfter: at(-3_600_000) })),
    wantCode: 'EXPIRED',
  },
  {
    name: 'not yet valid',
    input: async () => envelope(await signed(['alice'], { validFrom: at(3_600_000), expireAfter: at(7_200_000) })),
    wantCode: 'NOT_YET_VALID',
  },
  // The server's own predicate (protocol/limits.ts): a leaked long-lived action is refused here too.
  {
    name: 'window longer than the limit',
    input: async () =>
      envelope(await signed(['alice'], { validFrom: at(-60_000), expireAfter: at(ACTION_LIMITS.maxValidityMs) })),
    wantCode: 'VALIDITY_TOO_LONG',
  },
  {
    name: 'under-weight ACL (one signer, two needed)',
    input: async () => envelope(await signed(['alice'])),
    deps: () => ({ acl: twoPersonAcl }),
    wantCode: 'ACL_WEIGHT_TOO_LOW',
  },
  {
    name: 'duplicate signer counted once',
    input: async () => envelope(await signAs(unsignedAction({ now: NOW }), ['alice', 'alice'])),
    deps: () => ({ acl: twoPersonAcl }),
    wantCode: 'ACL_WEIGHT_TOO_LOW',
  },
  {
    name: 'module not in the allowlist',
    input: async () => envelope(await signed(['alice'])),
    deps: () => ({ allowedModules: new Set(['probe']) }),
    wantCode: 'MODULE_NOT_ALLOWED',
  },
  {
    name: 'target excludes the agent',
    input: async () => envelope(await signed(['alice'], { target: "os = 'windows'" })),
    wantCode: 'TARGET_EXCLUDES_AGENT',
  },
  {
    name: 'target excludes the agent even with an unknown term',
    input: async () => envelope(await signed(['alice'], { target: "status = 'online' and tags->>'env' = 'dev'" })),
    wantCode: 'TARGET_EXCLUDES_AGENT',
  },
  {
    name: 'target does not parse',
    input: async () => envelope(await signed(['alice'], { target: "os = = 'linux'" })),
    wantCode: 'TARGET_EXCLUDES_AGENT',
  },
  {
    name: 'unknown module',
    input: async () => envelope(await signed(['alice'], { operations: [{ module: 'keylogger', parameters: {} }] })),
    wantCode: 'UNKNOWN_MODULE',
  },
  {
    name: 'platform unsupported',
    input: async () => envelope(await signed(['alice'], { operations: [{ module: 'probe', parameters: {} }] })),
    deps: () => ({ platform: 'aix' }),
    wantCode: 'PLATFORM_UNSUPPORTED',
  },
  {
    name: 'invalid parameters name the field path',
    input: async () =>
      envelope(
        await signed(['alice'], { operations: [{ module: 'probe', parameters: { rows: 'many', hang: 'sometimes' } }] }),
      ),
    wantCode: 'INVALID_PARAMETERS',
    wantMessage: /operations\.0\.parameters\.rows.*operations\.0\.parameters\.hang/,
  },
  {
    name: 'invalid file parameters name the field path',
    input: async () =>
      envelope(
        await signed(['alice'], {
          operations: [{ module: 'file', parameters: { searches: { s1: { paths: '/etc' } } } }],
        }),
      ),
    wantCode: 'INVALID_PARAMETERS',
    wantMessage: /operations\.0\.parameters\.searches\.s1\.paths/,
  },
];

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof BaseError) return { code: err.code, message: err.message };
    throw err;
  }
  return { code: 'ACCEPTED', message: '' };
}

describe('acceptCommand refuses tampered commands with a specific code', () => {
  it.each(refusals)('$name → $wantCode', async ({ input, deps: extra, wantCode, wantMessage }) => {
    const got = await codeOf(acceptCommand(await input(), { ...deps, ...extra?.() }));
    expect(got.code).toBe(wantCode);
    if (wantMessage !== undefined) expect(got.message).toMatch(wantMessage);
  });
});

describe('acceptCommand accepts', () => {
  const accepted: { name: string; input: () => Promise<string>; deps?: () => Partial<AcceptDeps> }[] = [
    { name: 'a plain signed action', input: async () => envelope(await signed(['alice'])) },
    {
      name: 'validFrom within the clock skew',
      input: async () => envelope(await signed(['alice'], { validFrom: at(30_000), expireAfter: at(600_000) })),
    },
    {
      name: 'expireAfter within the clock skew',
      input: async () => envelope(await signed(['alice'], { validFrom: at(-600_000), expireAfter: at(-30_000) })),
    },
    {
      name: 'a server-only term unknown here',
      input: async () => envelope(await signed(['alice'], { target: "status = 'online'" })),
    },
    {
      name: 'found() of a previous action',
      input: async () => envelope(await signed(['alice'], { target: `found('${'ab'.repeat(16)}') and os = 'linux'` })),
    },
    {
      name: 'two distinct signers meet a two-person ACL',
      input: async () => envelope(await signed(['alice', 'bob'])),
      deps: () => ({ acl: twoPersonAcl }),
    },
  ];
  it.each(accepted)('$name', async ({ input, deps: extra }) => {
    const got = await acceptCommand(await input(), { ...deps, ...extra?.() });
    expect(got.commandId).toBe(COMMAND_ID);
    expect(got.signers).toContain(await fingerprint('alice'));
    expect(got.operations.map((o) => o.module)).toEqual(got.action.operations.map((o) => o.module));
  });

  it('applies parameter defaults from the spec', async () => {
    const got = await acceptCommand(
      envelope(await signed(['alice'], { operations: [{ module: 'probe', parameters: {} }] })),
      deps,
    );
    expect(got.operations[0]?.params).toEqual({ rows: 1, leak: false, hang: 'no', throwAfter: false });
  });
});

describe('replay', () => {
  it('refuses the same action a second time', async () => {
    const payload = envelope(await signed(['alice']));
    await acceptCommand(payload, deps);
    expect((await codeOf(acceptCommand(payload, deps))).code).toBe('REPLAYED');
  });

  it('refuses it after a restart (the journal is on disk)', async () => {
    const payload = envelope(await signed(['alice']));
    await acceptCommand(payload, deps);
    const reopened = track(await ReplayJournal.open(dir.path, { now: () => NOW }));
    expect((await codeOf(acceptCommand(payload, { ...deps, replay: reopened }))).code).toBe('REPLAYED');
  });

  it('refuses one of two copies verified concurrently', async () => {
    const payload = envelope(await signed(['alice']));
    const codes = await Promise.all([codeOf(acceptCommand(payload, deps)), codeOf(acceptCommand(payload, deps))]);
    expect(codes.map((c) => c.code).sort()).toEqual(['ACCEPTED', 'REPLAYED']);
  });

  it('does not burn the id of a refused action', async () => {
    const action = await signed(['alice']);
    expect((await codeOf(acceptCommand(envelope(action), { ...deps, acl: twoPersonAcl }))).code).toBe(
      'ACL_WEIGHT_TOO_LOW',
    );
    expect((await codeOf(acceptCommand(envelope(action), deps))).code).toBe('ACCEPTED');
  });
});
