import { ReplayJournal } from '../../../agent/journal/replay-journal.js';
import type { AcceptDeps } from '../../../agent/verify/pipeline.js';
import { defaultAcl } from '../../../protocol/acl.js';
import { Keyring } from '../../../protocol/signature.js';
import { armoredPublicKey } from '../keys.js';
import { testFacts } from './probe.js';

/**
 * What the agent's acceptance pipeline checks against, as a Linux agent has it: alice and bob as
 * investigators under the default ACL, a real replay journal in `dir`, and a clock stopped at `now`.
 */
export async function testAcceptDeps(
  dir: string,
  now: Date,
  specs: AcceptDeps['specs'],
): Promise<AcceptDeps & { replay: ReplayJournal }> {
  const keyring = await Keyring.fromArmored([armoredPublicKey('alice'), armoredPublicKey('bob')]);
  return {
    keyring,
    acl: defaultAcl(keyring.fingerprints()),
    replay: await ReplayJournal.open(dir, { now: () => now }),
    facts: testFacts(),
    now: () => now,
    maxClockSkewMs: 60_000,
    specs,
    platform: 'linux',
  };
}
