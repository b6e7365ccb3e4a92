import { describe, expect, it } from 'vitest';
import { armoredPublicKey, fingerprint } from '../test/helpers/keys.js';
import { bakedPolicyTrust, policySignature, signedPolicyText, unsignedPolicy } from '../test/helpers/policy.js';
import { nextAcl } from './policy-build.js';
import { checkPolicyBundle, POLICY_LIMITS, selfTrustOf, verifyPolicyBundle, type PolicyTrust } from './policy.js';
import { codeOf } from '../test/helpers/error-code.js';

describe('verifyPolicyBundle', () => {
  it('accepts a newer bundle signed by the threshold of the current admins and returns the trust it establishes', async () => {
    const trust = await bakedPolicyTrust(['alice']);
    const text = await signedPolicyText({ version: 1 });
    const verified = await verifyPolicyBundle(text, trust);
    expect(verified.signers).toEqual([await fingerprint('alice')]);
    expect(verified.next.version).toBe(1);
    expect([...verified.keys.keys()]).toEqual([await fingerprint('alice'), await fingerprint('bob')]);
    expect(verified.text).toBe(text);
  });

  // Alike on purpose (duplicates): one row a refusal (trust, bundle text, expected code); the rows share their shape.
  const refusals: { name: string; trust: () => Promise<PolicyTrust>; text: () => Promise<string>; wantCode: string }[] =
    [
      {
        name: 'same version again',
        trust: () => bakedPolicyTrust(['alice'], 1, 3),
        text: () => signedPolicyText({ version: 3 }),
        wantCode: 'POLICY_ROLLBACK',
      },
      {
        name: 'older version',
        trust: () => bakedPolicyTrust(['alice'], 1, 3),
        text: () => signedPolicyText({ version: 2 }),
        wantCode: 'POLICY_ROLLBACK',
      },
      {
        name: 'one signature where two are needed',
        trust: () => bakedPolicyTrust(['alice', 'bob'], 2),
        text: () => signedPolicyText({ version: 1, admins: ['alice', 'bob'], threshold: 2, signers: ['alice'] }),
        wantCode: 'POLICY_UNDER_SIGNED',
      },
      {
        name: 'the same admin twice counts once',
        trust: () => bakedPolicyTrust(['alice', 'bob'], 2),
        text: () =>
          signedPolicyText({ version: 1, admins: ['alice', 'bob'], threshold: 2, signers: ['alice', 'alice'] }),
        wantCode: 'POLICY_UNDER_SIGNED',
      },
      {
        name: 'signed by a stranger',
        trust: () => bakedPolicyTrust(['alice']),
        text: () => signedPolicyText({ version: 1, signers: ['mallory'] }),
        wantCode: 'POLICY_UNDER_SIGNED',
      },
      {
        name: 'signed by a listed investigator who is not an admin',
        trust: () => bakedPolicyTrust(['alice']),
        text: () => signedPolicyText({ version: 1, signers: ['bob'] }),
        wantCode: 'POLICY_UNDER_SIGNED',
      },
      {
        name: 'no signature',
        trust: () => bakedPolicyTrust(['alice']),
        text: () => signedPolicyText({ version: 1, signers: [] }),
        // Alike on purpose (duplicates): one row per under-signed bundle, each saying who signs what; the rows differ
        // in admins and signers, which is the case.
        wantCode: 'POLICY_UNDER_SIGNED',
      },
      {
        name: 'a stranger makes themself admin and signs',
        trust: () => bakedPolicyTrust(['alice']),
        text: () => signedPolicyText({ version: 1, investigators: ['mallory'], admins: ['mallory'] }),
        wantCode: 'POLICY_UNDER_SIGNED',
      },
      {
        name: 'rotation to bob signed by the old admin only',
        trust: () => bakedPolicyTrust(['alice']),
        text: () => signedPolicyText({ version: 1, admins: ['bob'], signers: ['alice'] }),
        wantCode: 'POLICY_UNDER_SIGNED',
      },
      {
        name: 'rotation to bob signed by the new admin only',
        trust: () => bakedPolicyTrust(['alice']),
        text: () => signedPolicyText({ version: 1, admins: ['bob'], signers: ['bob'] }),
        wantCode: 'POLICY_UNDER_SIGNED',
      },
      {
        name: 'changed after signing',
        trust: () => bakedPolicyTrust(['alice']),
        text: async () => {
          const signed = JSON.parse(await signedPolicyText({ version: 1 })) as Record<string, unknown>;
          return JSON.stringify({ ...signed, allowedModules: ['file'] });
        },
        wantCode: 'POLICY_UNDER_SIGNED',
      },
      {
        name: 'not JSON',
        trust: () => bakedPolicyTrust(['alice']),
        text: async () => '{"v":1,',
        wantCode: 'POLICY_INVALID',
      },
      {
        name: 'an unknown field',
        trust: () => bakedPolicyTrust(['alice']),
        text: async () =>
          JSON.stringify({ ...(JSON.parse(await signedPolicyText({ version: 1 })) as object), extra: true }),
        wantCode: 'POLICY_INVALID',
      },
      {
        name: 'a key under another fingerprint',
        trust: () => bakedPolicyTrust(['alice']),
        text: async () => {
          const bundle = await unsignedPolicy({ version: 1 });
          const swapped = {
            ...bundle,
            investigators: bundle.investigators.map((i) =>
              i.name === 'bob' ? { ...i, publicKey: armoredPublicKey('mallory') } : i,
            ),
          };
          return JSON.stringify({ ...swapped, signatures: [await policySignature(swapped, 'alice')] });
        },
        wantCode: 'POLICY_INVALID',
      },
      {
        name: 'an admin who is not listed',
        trust: () => bakedPolicyTrust(['alice']),
        text: async () => {
          const bundle = await unsignedPolicy({ version: 1 });
          const odd = { ...bundle, admins: { fingerprints: [await fingerprint('carol')], threshold: 1 } };
          return JSON.stringify({ ...odd, signatures: [await policySignature(odd, 'alice')] });
        },
        wantCode: 'POLICY_INVALID',
      },
      {
        name: 'too large',
        trust: () => bakedPolicyTrust(['alice']),
        text: async () => ' '.repeat(POLICY_LIMITS.maxBytes + 1),
        wantCode: 'POLICY_INVALID',
      },
    ];
  it.each(refusals)('refuses $name → $wantCode', async ({ trust, text, wantCode }) => {
    expect(await codeOf(verifyPolicyBundle(await text(), await trust()))).toBe(wantCode);
  });

  it('accepts a rotation signed by the old admin and the new one', async () => {
    const text = await signedPolicyText({ version: 1, admins: ['bob'], signers: ['alice', 'bob'] });
    const verified = await verifyPolicyBundle(text, await bakedPolicyTrust(['alice']));
    expect(verified.next.admins.fingerprints).toEqual([await fingerprint('bob')]);
    // The next bundle is then checked against bob, not alice.
    expect(
      await codeOf(
        verifyPolicyBundle(await signedPolicyText({ version: 2, admins: ['bob'], signers: ['alice'] }), verified.next),
      ),
    ).toBe('POLICY_UNDER_SIGNED');
    expect(
      await codeOf(
        verifyPolicyBundle(await signedPolicyText({ version: 2, admins: ['bob'], signers: ['bob'] }), verified.next),
      ),
    ).toBe('accepted');
  });

  it('reports a shortfall without throwing (the server keeps such a bundle pending)', async () => {
    const text = await signedPolicyText({
      version: 1,
      admins: ['alice', 'bob'],
      threshold: 2,
      signers: ['bob', 'mallory'],
    });
    const check = await checkPolicyBundle(text, await bakedPolicyTrust(['alice', 'bob'], 2));
    expect(check.signers).toEqual([await fingerprint('bob')]);
    expect(check.ignored).toHaveLength(1);
    expect(check.shortfall).toMatch(/signed by 1 of the current admins, 2 needed/);
  });

  it('every accepted bundle verifies against its own admins (what an agent re-checks at start)', async () => {
    const text = await signedPolicyText({ version: 4, admins: ['bob'], signers: ['alice', 'bob'] });
    const verified = await verifyPolicyBundle(text, await bakedPolicyTrust(['alice'], 1, 3));
    expect(await codeOf(verifyPolicyBundle(text, await selfTrustOf(verified.bundle)))).toBe('accepted');
  });
});

describe('nextAcl', () => {
  it('drops investigators no longer active, gives newcomers weight 1 and keeps minimum weights', () => {
    const acl = {
      default: { minimumWeight: 1, weights: { a: 1, b: 2 } },
      firewall: { minimumWeight: 3, weights: { b: 2 } },
    };
    expect(nextAcl(acl, ['b', 'c'])).toEqual({
      default: { minimumWeight: 1, weights: { b: 2, c: 1 } },
      firewall: { minimumWeight: 3, weights: { b: 2, c: 1 } },
    });
  });
});
