import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfigInput } from '../../../agent/config.js';
import { armoredPublicKey } from '../keys.js';
import { ENROLLMENT_SECRET, type TestBroker } from './broker.js';

/**
 * How an agent reads a config file, for tests outside agent/ that check a file someone else wrote
 * (the server's agent.json): the agent's own loader, so the test fails when the two disagree.
 */
export { loadAgentConfig } from '../../../agent/config.js';

/**
 * The config of an agent under test on the test broker `mq`: it enrolls with the test secret,
 * trusts alice and bob, keeps its data in `<dir>/data`, reads its host from `<dir>/root` and
 * says it runs Linux. `extra` replaces any of these fields.
 */
// Alike on purpose (duplicates): a fixture builder with an override argument; test/helpers/console/state/records.ts
// builds unrelated records the same way.
export function testAgentConfigInput(
  mq: TestBroker,
  dir: string,
  extra: Partial<AgentConfigInput> = {},
): AgentConfigInput {
  return {
    brokerUrl: mq.url,
    enrollmentSecret: ENROLLMENT_SECRET,
    investigators: [
      { name: 'alice', publicKey: armoredPublicKey('alice') },
      { name: 'bob', publicKey: armoredPublicKey('bob') },
    ],
    dataDir: join(dir, 'data'),
    root: join(dir, 'root'),
    environment: { os: 'linux' },
    ...extra,
  };
}

/** A host root holding only `/etc/passwd` with root's line: what the cheap test hunts find. */
export function writeHostRoot(root: string): void {
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
}
