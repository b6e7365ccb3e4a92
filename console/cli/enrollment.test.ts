import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAgent } from '../../test/helpers/broker/fake-agent.js';
import { fakeEnrollRequest, fakeIdentity } from '../../test/helpers/broker/fake-identity.js';
import { ServerHarness } from '../../test/helpers/broker/harness.js';
import { API_PREFIX } from '../../protocol/api.js';
import { armoredPublicKey, type TestPerson } from '../../test/helpers/keys.js';
import { EXIT } from './main.js';
import { cliAs, type Harness } from '../../test/helpers/console/cli/harness.js';

/** `mig agents pending | accept ID|--all | reject ID` against a real server with auto-accept off. */
describe('enrollment policy from the CLI', () => {
  let server: ServerHarness;
  const homes: Harness[] = [];

  function cli(person: TestPerson): Harness {
    const h = cliAs(person, server.server.httpUrl.slice(0, -API_PREFIX.length));
    homes.push(h);
    return h;
  }
  const enroll = (label: string) =>
    FakeAgent.enroll(server.server.mqttUrl, server.server.enrollmentSecret, fakeEnrollRequest(fakeIdentity(label)));

  beforeEach(async () => {
    server = new ServerHarness();
    await server.start({ autoAccept: false });
    await server.api('POST', '/investigators', { body: { name: 'bob', publicKey: armoredPublicKey('bob') } });
  });
  afterEach(async () => {
    for (const h of homes.splice(0)) h.cleanup();
    await server.teardown();
  });

  it('lists pending agents, accepts one, rejects one, accepts the rest with --all', async () => {
    for (const label of ['web-1', 'web-2', 'web-3', 'db-1']) expect((await enroll(label)).state).toBe('pending');
    const alice = cli('alice');
    expect(await alice.run(['agents', 'pending'])).toBe(EXIT.ok);
    for (const label of ['web-1', 'web-2', 'web-3', 'db-1'])
      expect(alice.stdout.text).toContain(fakeIdentity(label).id);

    expect(await alice.run(['agents', 'accept', fakeIdentity('web-1').id])).toBe(EXIT.ok);
    expect(alice.stdout.text).toContain(`accepted ${fakeIdentity('web-1').id} (web-1)`);
    expect(await alice.run(['agents', 'reject', fakeIdentity('db-1').id])).toBe(EXIT.ok);
    expect(await alice.run(['agents', 'accept', '--all'])).toBe(EXIT.ok);
    expect(alice.stdout.text).toContain(`accepted ${fakeIdentity('web-3').id}`);

    expect(await alice.run(['agents', '-render', 'json'])).toBe(EXIT.ok);
    expect(alice.stdout.text).not.toContain(fakeIdentity('db-1').id);
    expect(await enroll('db-1')).toMatchObject({ state: 'rejected' });
  });

  it('refuses a decision from an investigator who is not an admin, and a malformed id', async () => {
    expect((await enroll('web-1')).state).toBe('pending');
    const bob = cli('bob');
    expect(await bob.run(['agents', 'accept', fakeIdentity('web-1').id])).toBe(EXIT.error);
    expect(bob.stderr.text).toMatch(/FORBIDDEN|admin/);
    expect(await bob.run(['agents', 'reject', 'Not An Id'])).toBe(EXIT.error);
    expect(bob.stderr.text).toContain('ID: expected an agent id');
  });
});
