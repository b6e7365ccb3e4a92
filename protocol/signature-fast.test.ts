import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { SigningKeyValidity } from './signing-key-validity.js';
import { armorSignature, dearmorSignature } from '../test/helpers/signature-forge.js';
import { agrees, DAY_MS, decide, newKey, signWith } from '../test/helpers/signature-parity.js';

/**
 * The fast path's security review, part two (part one: signature-parity.test.ts): every byte of
 * a good signature and of the signed data flipped, each by a mask fast-check draws, must be
 * decided alike by openpgp.verify and verifyDetached, and never accepted by the fast path alone
 * when openpgp refuses; the key-validity cache must answer as openpgp's getSigningKey at every
 * time around the key's own times.
 */
const bytes = new TextEncoder().encode('{"id":"flip","operations":[{"module":"file"}]}');

describe('a flipped byte', () => {
  for (const kind of ['legacy', 'ed25519'] as const) {
    it(`anywhere in a ${kind} signature or its data: openpgp and we decide alike`, async () => {
      const key = await newKey(kind);
      const pub = key.toPublic();
      const armored = await signWith(key, bytes);
      const binary = await dearmorSignature(armored);
      const masks = fc.sample(fc.integer({ min: 1, max: 255 }), { numRuns: binary.length + bytes.length, seed: 13 });
      const disagreements: string[] = [];
      let accepted = 0;
      for (let i = 0; i < binary.length; i += 1) {
        const flipped = Uint8Array.from(binary);
        flipped[i] = (flipped[i] ?? 0) ^ (masks[i] ?? 1);
        const d = await decide(armorSignature(flipped), pub, bytes);
        if (!agrees(d)) disagreements.push(`signature byte ${i}: ${JSON.stringify(d)}`);
        if (d.theirs) accepted += 1;
      }
      for (let i = 0; i < bytes.length; i += 1) {
        const data = Uint8Array.from(bytes);
        data[i] = (data[i] ?? 0) ^ (masks[binary.length + i] ?? 1);
        const d = await decide(armored, pub, data);
        if (!agrees(d)) disagreements.push(`data byte ${i}: ${JSON.stringify(d)}`);
        if (d.theirs) accepted += 1;
      }
      expect(disagreements).toEqual([]);
      // Flips in the unhashed area (issuer id bytes aside) may still verify; in the data, never.
      expect(accepted).toBeLessThan(binary.length / 2);
    });
  }

  it('at random places, by random masks, several at once (fast-check)', async () => {
    const key = await newKey('legacy');
    const pub = key.toPublic();
    const armored = await signWith(key, bytes);
    const binary = await dearmorSignature(armored);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(binary.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        async (flips) => {
          const flipped = Uint8Array.from(binary);
          for (const [at, mask] of flips) flipped[at] = (flipped[at] ?? 0) ^ mask;
          expect(agrees(await decide(armorSignature(flipped), pub, bytes))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('SigningKeyValidity', () => {
  it("answers as openpgp's getSigningKey at every time around the key's own times", async () => {
    // Expiring key, expiring signing subkey, soft revocation in between: many breakpoints.
    const base = await newKey('legacy', {
      date: new Date(Date.now() - 20 * DAY_MS),
      keyExpirationTime: (30 * DAY_MS) / 1000,
      subkeys: [{}, { sign: true, keyExpirationTime: (5 * DAY_MS) / 1000 }],
    });
    const { privateKey: revoked } = await openpgp.revokeKey({
      key: base,
      reasonForRevocation: { flag: openpgp.enums.reasonForRevocation.keyRetired },
      date: new Date(Date.now() - 3 * DAY_MS),
      format: 'object',
    });
    for (const key of [base.toPublic(), revoked.toPublic()]) {
      const validity = new SigningKeyValidity(key, () => Promise.resolve(openpgp));
      const probes = validity.times().flatMap((t) => [t - 1000, t, t + 1000, t + 3_600_000]);
      probes.push(Date.now(), Date.now() - 25 * DAY_MS, Date.now() + 40 * DAY_MS);
      const nowMs = Date.now();
      const wrong: string[] = [];
      for (const keyId of key.getKeyIDs())
        for (const t of probes) {
          const fresh = await openpgp.readKey({ binaryKey: key.write() });
          const theirs = await fresh.getSigningKey(keyId, new Date(t)).then(
            () => true,
            () => false,
          );
          const ours = await validity.isValidAt(keyId, t, nowMs);
          if (ours !== theirs) wrong.push(`${keyId.toHex()} at ${new Date(t).toISOString()}: ${ours} vs ${theirs}`);
        }
      expect(wrong).toEqual([]);
      expect(validity.times().length).toBeGreaterThanOrEqual(3);
    }
  });
});
