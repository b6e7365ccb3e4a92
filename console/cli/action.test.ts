import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignedActionSchema } from '../../protocol/action.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { Keyring, verifyAll } from '../../protocol/signature.js';
import { signedAction, unsignedAction } from '../../test/helpers/actions.js';
import { CAROL_PASSPHRASE, armoredPublicKey, fingerprint } from '../../test/helpers/keys.js';
import type { FakeApi } from '../../test/helpers/console/services/fake-api.js';
import { EXIT } from './main.js';
import { activeInvestigator, serveFleet } from '../../test/helpers/console/cli/fake-actions.js';
import {
  createHarness,
  installIdentity,
  startCliOnServer,
  stopCliOnServer,
  type Harness,
} from '../../test/helpers/console/cli/harness.js';

function readAction(path: string) {
  return SignedActionSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

describe('mig action sign', () => {
  let h: Harness;
  let file: string;
  beforeEach(() => {
    h = createHarness();
    installIdentity(h.home, 'carol', 'http://127.0.0.1:1');
    h.env.MIG_PASSPHRASE = CAROL_PASSPHRASE;
    file = join(h.home, '..', 'action.json');
  });
  afterEach(() => h.cleanup());

  it('adds a second signature that verifyAll accepts with the first', async () => {
    writeFileSync(file, JSON.stringify(await signedAction(['alice'])));
    expect(await h.run(['action', 'sign', file])).toBe(EXIT.ok);
    const signed = readAction(file);
    expect(signed.signatures).toHaveLength(2);
    const ring = await Keyring.fromArmored([armoredPublicKey('alice'), armoredPublicKey('carol')]);
    const signers = await verifyAll(canonicalActionBytes(signed), signed.signatures, ring);
    expect(signers.sort()).toEqual([await fingerprint('alice'), await fingerprint('carol')].sort());
    expect(h.stderr.text).toContain('2 signature(s)');
  });

  it('signs a file without signatures, writing to -o', async () => {
    writeFileSync(file, JSON.stringify(unsignedAction()));
    const out = `${file}.signed`;
    expect(await h.run(['action', 'sign', file, '-o', out])).toBe(EXIT.ok);
    expect(readAction(out).signatures).toHaveLength(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).not.toHaveProperty('signatures');
  });

  it('refuses to sign twice with the same key and leaves the file alone', async () => {
    writeFileSync(file, JSON.stringify(unsignedAction()));
    expect(await h.run(['action', 'sign', file])).toBe(EXIT.ok);
    const once = readFileSync(file, 'utf8');
    expect(await h.run(['action', 'sign', file])).toBe(EXIT.error);
    expect(h.stderr.text).toContain('already signed by your key');
    expect(h.stderr.text).toContain('(CONFLICT)');
    expect(readFileSync(file, 'utf8')).toBe(once);
  });

  it.each([
    { name: 'not JSON', content: '{', want: 'is not JSON' },
    { name: 'unknown key', content: JSON.stringify({ ...unsignedAction(), evil: true }), want: 'not a valid action' },
    { name: 'bad operation', content: JSON.stringify({ ...unsignedAction(), operations: [] }), want: 'operations' },
  ])('refuses a file that is $name', async ({ content, want }) => {
    writeFileSync(file, content);
    expect(await h.run(['action', 'sign', file])).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
  });

  const DAY = 24 * 3_600_000;
  it.each([
    {
      name: 'a 30 day window',
      action: () => unsignedAction({ validFrom: new Date(), expireAfter: new Date(Date.now() + 30 * DAY) }),
      want: 'expireAfter: the validity window (expireAfter − validFrom) is 30d, the limit is 7d (VALIDITY_TOO_LONG)',
    },
    {
      name: 'bad module parameters',
      action: () =>
        unsignedAction({
          operations: [{ module: 'file', parameters: { searches: { s1: { paths: ['etc'], names: ['x'] } } } }],
        }),
      want: 'operations.0.parameters.searches.s1.paths.0 (module file): expected an absolute path (starting with /), got "etc" (INVALID_PARAMETERS)',
    },
  ])('refuses to sign what the server would refuse: $name, and leaves the file alone', async ({ action, want }) => {
    const content = JSON.stringify(action());
    writeFileSync(file, content);
    expect(await h.run(['action', 'sign', file])).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it.each([
    { name: 'missing FILE', input: [], want: 'mig action sign: missing FILE' },
    { name: 'two files', input: ['a', 'b'], want: 'unexpected argument "b"' },
    { name: 'missing file', input: ['/nonexistent/x.json'], want: 'cannot read /nonexistent/x.json' },
  ])('$name', async ({ input, want }) => {
    expect(await h.run(['action', 'sign', ...input])).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
  });

  it('a wrong passphrase is SIGNER_FAILED, exit 2', async () => {
    h.env.MIG_PASSPHRASE = 'nope';
    writeFileSync(file, JSON.stringify(unsignedAction()));
    expect(await h.run(['action', 'sign', file])).toBe(EXIT.error);
    expect(h.stderr.text).toContain('wrong passphrase (SIGNER_FAILED)');
  });
});

/** MIG's own published actions, and the import test's own legacy shapes. */
const MIG_ACTIONS = fileURLToPath(new URL('../../test/fixtures/mig-actions/', import.meta.url));
const IMPORT_FIXTURES = fileURLToPath(new URL('../import/fixtures/', import.meta.url));
const MIG_FIXTURE = `${MIG_ACTIONS}example_v2.json`;

describe('mig action import', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
    installIdentity(h.home, 'alice', 'http://127.0.0.1:1');
  });
  afterEach(() => h.cleanup());

  it('converts, prints every warning, signs with your key and writes -o', async () => {
    const out = join(h.home, 'imported.json');
    expect(await h.run(['action', 'import', MIG_FIXTURE, '--skip-unsupported', '-e', '2h', '-o', out])).toBe(EXIT.ok);
    expect(h.stderr.text).toMatch(
      /^warning: skipped operations\[2\] \(agentdestroy\): module agentdestroy is not imported: /m,
    );
    expect(h.stderr.text).toMatch(/^warning: operations\[0\] \(file\): search s3: without matchall /m);
    const action = readAction(out);
    expect(action.operations.map((op) => op.module)).toEqual(['file', 'netstat']);
    const ring = await Keyring.fromArmored([armoredPublicKey('alice')]);
    expect(await verifyAll(canonicalActionBytes(action), action.signatures, ring)).toEqual([
      await fingerprint('alice'),
    ]);
  });

  it('imports every module of a file it fully supports without --skip-unsupported', async () => {
    expect(await h.run(['action', 'import', `${MIG_ACTIONS}integration_tests.json`])).toBe(EXIT.ok);
    const action = SignedActionSchema.parse(JSON.parse(h.stdout.text));
    expect(action.operations.map((op) => op.module)).toEqual(['file', 'netstat', 'ping', 'timedrift']);
    expect(h.stderr.text).not.toMatch(/skipped/);
  });

  it('writes to stdout without -o, and -t replaces the target', async () => {
    expect(await h.run(['action', 'import', MIG_FIXTURE, '--skip-unsupported', '-t', "os = 'linux'"])).toBe(EXIT.ok);
    expect(SignedActionSchema.parse(JSON.parse(h.stdout.text)).target).toBe("os = 'linux'");
  });

  it.each([
    {
      name: "MIG's agentdestroy",
      file: `${MIG_ACTIONS}example_v2.json`,
      want: 'operations[2] (agentdestroy): module agentdestroy is not imported: ',
    },
    {
      name: 'a module that does not exist',
      file: `${IMPORT_FIXTURES}unsupported-modules.json`,
      want: 'operations[2] (nosuchmodule): module nosuchmodule is not available here (available: ',
    },
  ])('fails on $name unless told to skip it, writing nothing', async ({ file, want }) => {
    expect(await h.run(['action', 'import', file])).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
    expect(h.stderr.text).toContain('--skip-unsupported');
    expect(h.stdout.text).toBe('');
  });
});

// Alike on purpose (duplicates): the describe-level CLI and server handles vitest needs per
// describe; their setup is the shared startCliOnServer/stopCliOnServer.
describe('mig action launch / show / list / cancel', () => {
  let api: FakeApi;
  let h: Harness;
  let file: string;
  beforeEach(async () => {
    ({ api, h } = await startCliOnServer());
    file = join(h.home, '..', 'action.json');
  });
  afterEach(() => stopCliOnServer({ api, h }));

  it.each([
    { name: 'known co-signer', signer: 'bob' as const, wantStatus: EXIT.ok, want: 'existing signatures verify: ' },
    { name: 'unknown co-signer', signer: 'mallory' as const, wantStatus: EXIT.error, want: '(UNKNOWN_SIGNER)' },
  ])(
    'sign --verify checks existing signatures against the server keys: $name',
    async ({ signer, wantStatus, want }) => {
      const investigators = [await activeInvestigator('alice'), await activeInvestigator('bob')];
      api.route('GET', /^\/investigators$/, () => ({ body: { investigators } }));
      const original = JSON.stringify(await signedAction([signer]));
      writeFileSync(file, original);
      expect(await h.run(['action', 'sign', file, '--verify'])).toBe(wantStatus);
      expect(h.stderr.text).toContain(want);
      expect(readAction(file).signatures).toHaveLength(wantStatus === EXIT.ok ? 2 : 1);
    },
  );

  it('launch refuses an unsigned file', async () => {
    writeFileSync(file, JSON.stringify(unsignedAction()));
    expect(await h.run(['action', 'launch', file])).toBe(EXIT.error);
    expect(h.stderr.text).toContain('is not signed (NO_SIGNATURE)');
  });

  it('launch submits the file exactly as signed and follows it', async () => {
    const action = await signedAction(['alice', 'bob']);
    writeFileSync(file, JSON.stringify(action));
    const hit = { module: 'file', isFound: true, rows: [{ path: '/etc/passwd' }], stats: {}, errors: [] };
    const fleet = serveFleet(api, {
      answers: [{ agentId: 'agent-a', agentName: 'host-a', status: 'success', operations: [hit] }],
      fingerprint: await fingerprint('alice'),
    });
    expect(await h.run(['action', 'launch', file, '-render', 'ndjson'])).toBe(EXIT.found);
    expect(fleet.posted).toEqual([action]);
    expect(JSON.parse(h.stdout.text)).toMatchObject({ agent: 'host-a', row: { path: '/etc/passwd' } });
  });

  it('show, list and cancel print what the server says', async () => {
    const action = await signedAction(['alice']);
    writeFileSync(file, JSON.stringify(action));
    const fleet = serveFleet(api, {
      answers: [{ agentId: 'agent-a', agentName: 'host-a', status: 'success' }],
      fingerprint: await fingerprint('alice'),
    });
    await h.run(['action', 'launch', file, '-y']);
    api.route('GET', /^\/actions$/, () => ({ body: { actions: [], total: 0 } }));

    expect(await h.run(['action', 'show', action.id])).toBe(EXIT.ok);
    expect(h.stdout.text).toMatch(new RegExp(`^action +${action.id}\\nname +test action\\nstatus +completed`));
    expect(await h.run(['action', 'cancel', action.id])).toBe(EXIT.ok);
    expect(h.stdout.text).toBe(`action ${action.id} is cancelled\n`);
    expect(fleet.cancelled).toEqual([action.id]);
    expect(await h.run(['action', 'list', '-limit', '5'])).toBe(EXIT.ok);
    expect(h.stdout.text.split('\n')[0]).toMatch(/^ID +NAME +STATUS +DONE +FOUND +CREATED$/);
    expect(api.requests.at(-1)?.query.get('limit')).toBe('5');
  });

  it.each([
    { name: 'show with a bad id', input: ['action', 'show', 'xyz'], want: '"xyz" is not an action id' },
    { name: 'show an unknown action', input: ['action', 'show', 'f'.repeat(32)], want: 'no such action (NOT_FOUND)' },
    {
      name: 'unknown subcommand',
      input: ['action', 'frob'],
      want: 'mig action: expected one of sign, launch, import, show, results, list, cancel, pending, approve, got "frob"',
    },
    { name: 'list with a bad limit', input: ['action', 'list', '-limit', '0'], want: '-limit: expected a number >= 1' },
  ])('$name', async ({ input, want }) => {
    serveFleet(api, { answers: [], fingerprint: await fingerprint('alice') });
    expect(await h.run(input)).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
  });
});
