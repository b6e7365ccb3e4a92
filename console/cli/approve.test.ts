import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAgent } from '../../test/helpers/broker/fake-agent.js';
import { ServerHarness, waitFor } from '../../test/helpers/broker/harness.js';
import type { SignedAction } from '../../protocol/action.js';
import { API_PREFIX, ActionRecordSchema, emptyCounters, type ActionRecord } from '../../protocol/api.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { Keyring, verifyAll } from '../../protocol/signature.js';
import { signAs, unsignedAction } from '../../test/helpers/actions.js';
import { armoredPublicKey, fingerprint, type TestPerson } from '../../test/helpers/keys.js';
import type { FakeApi } from '../../test/helpers/console/services/fake-api.js';
import { EXIT } from './main.js';
import { cliAs, startCliOnServer, stopCliOnServer, type Harness } from '../../test/helpers/console/cli/harness.js';
import { moduleSpecs } from '../../modules/registry.js';
import { responseTestModules } from '../../test/helpers/console/cli/response-module.js';
import { activeInvestigator } from '../../test/helpers/console/cli/fake-actions.js';

/** A real server (alice admin, bob enrolled), one fake agent, and a CLI home per investigator. */
describe('two-person rule from the CLI, against the real server', () => {
  let server: ServerHarness;
  let agent: FakeAgent;
  const homes: Harness[] = [];

  function cli(person: TestPerson): Harness {
    const h = cliAs(person, server.server.httpUrl.slice(0, -API_PREFIX.length));
    h.modules = responseTestModules;
    homes.push(h);
    return h;
  }

  async function record(id: string): Promise<ActionRecord> {
    return ActionRecordSchema.parse((await server.api('GET', `/actions/${id}`)).body);
  }

  /** alice hunts with a response module: held by the server; returns the action id the CLI printed. */
  async function aliceHunts(): Promise<string> {
    const alice = cli('alice');
    expect(await alice.run(['firewall', '-reason', 'contain', '-t', 'all', '-y'])).toBe(EXIT.ok);
    const id = /waiting for a second investigator: mig action approve ([0-9a-f]{32})/.exec(alice.stderr.text)?.[1];
    if (id === undefined) throw new Error(`no approval hint in: ${alice.stderr.text}`);
    // The hunt is valid from the CLI's "now"; bring the server's manual clock there too.
    server.clock.set(new Date());
    return id;
  }

  beforeEach(async () => {
    server = new ServerHarness();
    // The server checks parameters against the same stand-in firewall spec the CLI uses.
    await server.start({ moduleSpecs: new Map([...moduleSpecs, ...responseTestModules]) });
    await server.api('POST', '/investigators', { body: { name: 'bob', publicKey: armoredPublicKey('bob') } });
    agent = await server.agent('agent-a');
  });
  afterEach(async () => {
    for (const h of homes.splice(0)) h.cleanup();
    await server.teardown();
  });

  it('a response hunt exits 0 pending; bob lists it, approves it, and the agent gets both signatures', async () => {
    const id = await aliceHunts();
    expect(await record(id)).toMatchObject({ status: 'pending', reason: 'pending approval' });
    expect(agent.commands).toEqual([]);

    const bob = cli('bob');
    expect(await bob.run(['action', 'pending'])).toBe(EXIT.ok);
    expect(bob.stdout.text).toMatch(new RegExp(`^${id} +mig firewall .* +firewall +1/2 `, 'm'));

    expect(await bob.run(['action', 'approve', id, '-y'])).toBe(EXIT.ok);
    expect(bob.stdout.text).toContain('"module": "firewall"');
    expect(bob.stdout.text).toMatch(/modules +firewall \(response: changes the endpoints\)/);
    expect(bob.stdout.text).toContain(`signed by alice (${await fingerprint('alice')})`);
    expect(bob.stdout.text).toContain(`action ${id} is inflight: launched to 1 agent(s)`);

    await waitFor(() => agent.commands.length === 1, 'the command');
    const sent = JSON.parse(agent.commands[0]?.action ?? '{}') as SignedAction;
    const ring = await Keyring.fromArmored([armoredPublicKey('alice'), armoredPublicKey('bob')]);
    expect(await verifyAll(canonicalActionBytes(sent), sent.signatures, ring)).toEqual([
      await fingerprint('alice'),
      await fingerprint('bob'),
    ]);
  });

  it.each([
    { name: 'n refuses', stdin: 'n\n', want: EXIT.notFound, wantStatus: 'pending' },
    { name: 'Enter alone refuses', stdin: '\n', want: EXIT.notFound, wantStatus: 'pending' },
    { name: 'y approves', stdin: 'y\n', want: EXIT.ok, wantStatus: 'inflight' },
  ])('on a terminal it asks y/N: $name', async ({ stdin, want, wantStatus }) => {
    const id = await aliceHunts();
    const bob = cli('bob');
    bob.isStdinTty = true;
    bob.stdin = stdin;
    expect(await bob.run(['action', 'approve', id])).toBe(want);
    expect(bob.stderr.text).toContain(`approve and launch action ${id}? [y/N]`);
    expect((await record(id)).status).toBe(wantStatus);
  });

  it.each([
    {
      name: 'without a terminal and without -y',
      who: 'bob' as const,
      argv: [] as string[],
      want: 'stdin is not a terminal',
    },
    {
      name: 'by the investigator who signed it',
      who: 'alice' as const,
      argv: ['-y'],
      want: 'already signed by your key',
    },
  ])('refuses to approve $name, and nothing is sent', async ({ who, argv, want }) => {
    const id = await aliceHunts();
    const h = cli(who);
    expect(await h.run(['action', 'approve', id, ...argv])).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
    expect(await record(id)).toMatchObject({ status: 'pending', action: { signatures: [expect.any(String)] } });
  });

  it('refuses an action that is not waiting for approval', async () => {
    const plain = await signAs(unsignedAction({ now: server.clock.now() }), ['alice']);
    await server.submit(plain);
    const bob = cli('bob');
    expect(await bob.run(['action', 'approve', plain.id, '-y'])).toBe(EXIT.error);
    expect(bob.stderr.text).toContain(`action ${plain.id} is inflight, not waiting for approval (CONFLICT)`);
  });

  it('action show says who signed and how many are needed', async () => {
    const id = await aliceHunts();
    const bob = cli('bob');
    expect(await bob.run(['action', 'show', id])).toBe(EXIT.ok);
    expect(bob.stdout.text).toMatch(/status +pending \(pending approval\)/);
    expect(bob.stdout.text).toMatch(/approval +1 of 2 investigators signed/);
  });
});

describe('mig action approve against a server that lies', () => {
  let api: FakeApi;
  let h: Harness;
  beforeEach(async () => {
    ({ api, h } = await startCliOnServer('bob'));
  });
  afterEach(() => stopCliOnServer({ api, h }));

  it("refuses to co-sign when alice's signature does not cover what is shown", async () => {
    const signed = await signAs(unsignedAction({ operations: [{ module: 'firewall', parameters: { op: 'list' } }] }), [
      'alice',
    ]);
    const tampered = { ...signed, target: 'all' === signed.target ? "os = 'linux'" : 'all' };
    const investigators = [await activeInvestigator('alice'), await activeInvestigator('bob')];
    const counters = emptyCounters();
    const held = {
      action: tampered,
      status: 'pending',
      reason: 'pending approval',
      investigators: [investigators[0]?.fingerprint],
      approval: { required: 2, signers: [investigators[0]?.fingerprint] },
      counters,
      createdAt: new Date().toISOString(),
    };
    api.route('GET', /^\/actions\/([0-9a-f]+)$/, () => ({ body: held }));
    api.route('GET', /^\/investigators$/, () => ({ body: { investigators } }));

    expect(await h.run(['action', 'approve', signed.id, '-y'])).toBe(EXIT.error);
    expect(h.stderr.text).toContain('(BAD_SIGNATURE)');
    expect(api.requests.some((r) => r.path.endsWith('/signatures'))).toBe(false);
  });
});
