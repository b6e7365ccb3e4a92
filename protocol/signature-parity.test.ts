import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { armorSignature, dearmorSignature, forgeSignature } from '../test/helpers/signature-forge.js';
import { DAY_MS, decide, newKey, signWith, type KeyKind } from '../test/helpers/signature-parity.js';

/**
 * verifyDetached checks signatures on openpgp's packets, and the common case (v4, Ed25519,
 * SHA-2) on node:crypto (protocol/signature-fast.ts): cheaper than openpgp.verify
 * (doc/performance.md, Agent CPU). These cases are its security review: on each, openpgp.verify
 * ({ expectSigned: true }), verifyDetached with and without the fast path must decide alike,
 * the fast path must never accept what openpgp refuses, and it must take the cases it is for.
 */
const bytes = new TextEncoder().encode('{"id":"parity","operations":[]}');
const nowS = (): number => Math.floor(Date.now() / 1000);

interface Case {
  name: string;
  armored: string;
  key: openpgp.PublicKey;
  data?: Uint8Array;
  accepted: boolean;
  /** The fast path takes it by itself (else openpgp's path decides). */
  fast: boolean;
}

async function casesFor(kind: KeyKind): Promise<Case[]> {
  // Made a day ago: forged signatures back-date their creation, never before their key's.
  const key = await newKey(kind, { date: new Date(Date.now() - DAY_MS) });
  const pub = key.toPublic();
  const other = await newKey(kind);
  const oldKey = await newKey(kind, { date: new Date(Date.now() - 10 * DAY_MS), keyExpirationTime: DAY_MS / 1000 });
  const withSubkey = await newKey(kind, { subkeys: [{}, { sign: true }] });
  const oldSubkey = await newKey(kind, {
    date: new Date(Date.now() - 10 * DAY_MS),
    subkeys: [{}, { sign: true, keyExpirationTime: DAY_MS / 1000 }],
  });
  const signingSubkey = (k: openpgp.PrivateKey): openpgp.Subkey => {
    const sub = k.subkeys[1];
    if (sub === undefined) throw new Error('no signing subkey');
    return sub;
  };
  const forge = (opts: Parameters<typeof forgeSignature>[2]): string => forgeSignature(bytes, key, opts);
  const critical = (type: number, body: Uint8Array): Parameters<typeof forgeSignature>[2] => ({
    extraHashed: [{ type, critical: true, body }],
  });
  const notation = (name: string): Uint8Array => {
    const n = Buffer.from(name);
    const header = Buffer.from([0x80, 0, 0, 0, 0, n.length, 0, 1]);
    return Buffer.concat([header, n, Buffer.from('v')]);
  };
  const cases: Case[] = [
    { name: 'good', armored: await signWith(key, bytes), key: pub, accepted: true, fast: true },
    {
      name: 'tampered data',
      armored: await signWith(key, bytes),
      key: pub,
      data: new TextEncoder().encode('{"id":"parity","operations":[1]}'),
      accepted: false,
      fast: false,
    },
    { name: 'signed by another key', armored: await signWith(other, bytes), key: pub, accepted: false, fast: false },
    {
      name: 'made in the future',
      armored: await signWith(key, bytes, { date: new Date(Date.now() + DAY_MS) }),
      key: pub,
      accepted: false,
      fast: false,
    },
    { name: 'text mode', armored: await signWith(key, bytes, { text: true }), key: pub, accepted: true, fast: true },
    {
      name: 'text mode over lines (openpgp canonicalises them)',
      armored: await signWith(key, new TextEncoder().encode('a\nb\r\nc\r'), { text: true }),
      key: pub,
      data: new TextEncoder().encode('a\nb\r\nc\r'),
      accepted: true,
      fast: false,
    },
    {
      name: 'made while the key was valid, key now expired',
      armored: await signWith(oldKey, bytes, { date: new Date(Date.now() - 10 * DAY_MS + 60_000) }),
      key: oldKey.toPublic(),
      accepted: true,
      fast: true,
    },
    {
      name: 'made after the key expired',
      armored: forgeSignature(bytes, oldKey, { createdS: nowS() - 60 }),
      key: oldKey.toPublic(),
      accepted: false,
      fast: false,
    },
    {
      name: 'by a signing subkey',
      armored: await signWith(withSubkey, bytes),
      key: withSubkey.toPublic(),
      accepted: true,
      fast: true,
    },
    {
      name: 'naming the encryption subkey as issuer',
      armored: forgeSignature(bytes, withSubkey, { claimIssuer: withSubkey.subkeys[0] }),
      key: withSubkey.toPublic(),
      accepted: false,
      fast: false,
    },
    {
      name: 'by a subkey while it was valid, subkey now expired',
      armored: forgeSignature(bytes, oldSubkey, {
        signer: signingSubkey(oldSubkey),
        createdS: nowS() - 10 * 86400 + 60,
      }),
      key: oldSubkey.toPublic(),
      accepted: true,
      fast: true,
    },
    {
      name: 'by a subkey after it expired',
      armored: forgeSignature(bytes, oldSubkey, { signer: signingSubkey(oldSubkey), createdS: nowS() - 60 }),
      key: oldSubkey.toPublic(),
      accepted: false,
      fast: false,
    },
    { name: 'forged, plain', armored: forge({}), key: pub, accepted: true, fast: true },
    { name: 'SHA-256', armored: forge({ hash: 8 }), key: pub, accepted: true, fast: true },
    { name: 'SHA-384', armored: forge({ hash: 9 }), key: pub, accepted: true, fast: true },
    { name: 'SHA-1 (refused)', armored: forge({ hash: 2 }), key: pub, accepted: false, fast: false },
    { name: 'MD5 (refused)', armored: forge({ hash: 1 }), key: pub, accepted: false, fast: false },
    { name: 'SHA-224 (too weak for EdDSA)', armored: forge({ hash: 11 }), key: pub, accepted: false, fast: false },
    { name: 'SHA3-256 (openpgp decides)', armored: forge({ hash: 12 }), key: pub, accepted: true, fast: false },
    { name: 'issuer in the hashed area', armored: forge({ issuerHashed: true }), key: pub, accepted: true, fast: true },
    {
      name: 'signature expired',
      armored: forge({ createdS: nowS() - 120, expiresInS: 60 }),
      key: pub,
      accepted: false,
      fast: false,
    },
    {
      name: 'signature expiring later',
      armored: forge({ createdS: nowS() - 120, expiresInS: 3600 }),
      key: pub,
      accepted: true,
      fast: true,
    },
    {
      name: 'signature over other bytes',
      armored: forge({ signOver: new Uint8Array([1, 2]) }),
      key: pub,
      accepted: false,
      fast: false,
    },
    {
      name: 'unknown critical subpacket',
      armored: forge(critical(100, new Uint8Array([1]))),
      key: pub,
      accepted: false,
      fast: false,
    },
    {
      name: 'unknown non-critical subpacket',
      armored: forge({ extraHashed: [{ type: 100, body: new Uint8Array([1]) }] }),
      key: pub,
      accepted: true,
      fast: true,
    },
    {
      name: 'unknown critical notation',
      armored: forge(critical(20, notation('x@example.org'))),
      key: pub,
      accepted: false,
      fast: false,
    },
    { name: 'standalone signature type', armored: forge({ type: 0x02 }), key: pub, accepted: false, fast: false },
    { name: 'key certification type', armored: forge({ type: 0x10 }), key: pub, accepted: false, fast: false },
  ];
  // openpgp skips a packet it cannot parse: the readable signature still decides.
  const good = await dearmorSignature(await signWith(key, bytes));
  const junk = [0xc2, 3, 9, 9, 9];
  cases.push(
    {
      name: 'an unreadable packet after a good one',
      armored: armorSignature(new Uint8Array([...good, ...junk])),
      key: pub,
      accepted: true,
      fast: true,
    },
    {
      name: 'only an unreadable packet',
      armored: armorSignature(new Uint8Array(junk)),
      key: pub,
      accepted: false,
      fast: false,
    },
  );
  // A revoked key cannot sign through openpgp.sign: it signs first, then is revoked.
  const beforeRevocation = await newKey(kind);
  const sigByIt = await signWith(beforeRevocation, bytes);
  const { privateKey: nowRevoked } = await openpgp.revokeKey({ key: beforeRevocation, format: 'object' });
  cases.push({
    name: 'key revoked after signing',
    armored: sigByIt,
    key: nowRevoked.toPublic(),
    accepted: false,
    fast: false,
  });
  // Superseded (a soft revocation) only counts from its date: a signature from before still stands.
  const superseded = await newKey(kind, { date: new Date(Date.now() - 10 * DAY_MS) });
  const beforeSuperseded = forgeSignature(bytes, superseded, { createdS: nowS() - 5 * 86400 });
  const afterSuperseded = forgeSignature(bytes, superseded, { createdS: nowS() - 60 });
  const { privateKey: softRevoked } = await openpgp.revokeKey({
    key: superseded,
    reasonForRevocation: { flag: openpgp.enums.reasonForRevocation.keySuperseded },
    date: new Date(Date.now() - 2 * DAY_MS),
    format: 'object',
  });
  cases.push(
    {
      name: 'made before the key was superseded',
      armored: beforeSuperseded,
      key: softRevoked.toPublic(),
      accepted: true,
      fast: true,
    },
    {
      name: 'made after the key was superseded',
      armored: afterSuperseded,
      key: softRevoked.toPublic(),
      accepted: false,
      fast: false,
    },
  );
  return cases;
}

describe('verifyDetached decides as openpgp.verify does', () => {
  for (const kind of ['legacy', 'ed25519'] as const) {
    it(`on ${kind === 'legacy' ? 'legacy EdDSA (22)' : 'Ed25519 (27)'} keys: every case`, async () => {
      const cases = await casesFor(kind);
      const got = [];
      for (const c of cases) got.push({ name: c.name, ...(await decide(c.armored, c.key, c.data ?? bytes)) });
      expect(got).toEqual(
        cases.map((c) => ({ name: c.name, theirs: c.accepted, ours: c.accepted, oursSlow: c.accepted, fast: c.fast })),
      );
    });
  }

  it('on an RSA key: openpgp decides (the fast path takes only Ed25519)', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'rsa',
      rsaBits: 2048,
      userIDs: [{ name: 'rsa', email: 'rsa@example.org' }],
      format: 'object',
    });
    const good = await decide(await signWith(privateKey, bytes), privateKey.toPublic(), bytes);
    expect(good).toEqual({ theirs: true, ours: true, oursSlow: true, fast: false });
    const tampered = await decide(await signWith(privateKey, bytes), privateKey.toPublic(), new Uint8Array([1]));
    expect(tampered).toEqual({ theirs: false, ours: false, oursSlow: false, fast: false });
  });
});
