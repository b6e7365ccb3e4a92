import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServerHarness, waitFor } from '../../test/helpers/broker/harness.js';
import { API_PREFIX } from '../../protocol/api.js';
import { PolicyViewSchema } from '../../protocol/policy-api.js';
import { armoredPublicKey, fingerprint, type TestPerson } from '../../test/helpers/keys.js';
import type { FakeAgent } from '../../test/helpers/broker/fake-agent.js';
import { EXIT } from './main.js';
import { cliAs, type Harness } from '../../test/helpers/console/cli/harness.js';

/** `mig policy` against the real server: alice and bob are admins and the threshold is 2. */
describe('mig policy, against the real server', () => {
  let server: ServerHarness;
  let agent: FakeAgent;
  const homes: Harness[] = [];
  const pushed: number[] = [];

  function cli(person: TestPerson): Harness {
    const h = cliAs(person, server.server.httpUrl.slice(0, -API_PREFIX.length));
    homes.push(h);
    return h;
  }

  beforeEach(async () => {
    server = new ServerHarness();
    await server.start({ policyThreshold: 2 });
    await server.api('POST', '/investigators', {
      body: { name: 'bob', publicKey: armoredPublicKey('bob'), isAdmin: true },
    });
    await server.api('POST', '/investigators', { body: { name: 'carol', publicKey: armoredPublicKey('carol') } });
    agent = await server.agent('agent-a', false);
    pushed.length = 0;
    agent.client.on('message', (_topic, payload) => {
      const msg = JSON.parse(payload.toString()) as { kind?: string; bundle?: string };
      if (msg.kind === 'policy' && msg.bundle !== undefined)
        pushed.push((JSON.parse(msg.bundle) as { version: number }).version);
    });
    await server.beat(agent, { policyVersion: 0 });
  });
  afterEach(async () => {
    for (const h of homes.splice(0)) h.cleanup();
    await server.teardown();
  });

  it('publish leaves the bundle pending; a second admin signs it and it is pushed; disable publishes the next one', async () => {
    const alice = cli('alice');
    expect(await alice.run(['policy', 'publish', '-y'])).toBe(EXIT.ok);
    expect(alice.stderr.text).toMatch(/next: version 1/);
    expect(alice.stderr.text).toContain(`agents trust carol (${await fingerprint('carol')})`);
    expect(alice.stdout.text).toMatch(
      /policy version 1 is pending: signed by 1 of the current admins, 2 needed; ask another admin to run `mig policy sign`/,
    );
    expect(pushed).toEqual([]);

    const bob = cli('bob');
    expect(await bob.run(['policy', 'show'])).toBe(EXIT.ok);
    expect(bob.stdout.text).toMatch(/no policy bundle published/);
    expect(bob.stdout.text).toMatch(/pending: version 1/);
    expect(await bob.run(['policy', 'sign', '-y'])).toBe(EXIT.ok);
    expect(bob.stdout.text).toMatch(/published policy version 1: pushed to 1 connected agent/);
    await waitFor(() => pushed.length === 1, 'the push');

    // alice disables carol: the next bundle is built, signed by alice and left for bob.
    const disable = cli('alice');
    expect(await disable.run(['investigators', 'disable', 'carol'])).toBe(EXIT.ok);
    expect(disable.stdout.text).toMatch(/^carol [0-9a-f]+ is disabled$/m);
    expect(disable.stderr.text).toContain('agents stop trusting carol');
    expect(disable.stdout.text).toMatch(/policy version 2 is pending/);
    const view = PolicyViewSchema.parse((await server.api('GET', '/policy')).body);
    expect(view.pending?.bundle).not.toContain(await fingerprint('carol'));

    expect(await cli('bob').run(['policy', 'sign', '-y'])).toBe(EXIT.ok);
    await waitFor(() => pushed.length === 2, 'the second push');
    expect(pushed).toEqual([1, 2]);
  });

  it('sign with nothing pending says so', async () => {
    const bob = cli('bob');
    expect(await bob.run(['policy', 'sign', '-y'])).toBe(EXIT.error);
    expect(bob.stderr.text).toMatch(/no policy bundle is waiting for signatures/);
  });
});
