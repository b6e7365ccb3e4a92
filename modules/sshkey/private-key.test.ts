import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksLikePrivateKey, privateKeyFacts } from './private-key.js';
import { hasSshKeygen, keygen, keygenFacts, nodeKeys, opensshEd25519File } from '../../test/helpers/modules/sshkey.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mig-sshkey-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keys = nodeKeys();
const PASS = 'correct horse';

describe('node:crypto keys (no ssh-keygen needed)', () => {
  const pem = (key: (typeof keys)[keyof typeof keys], type: 'pkcs1' | 'pkcs8' | 'sec1', cipher?: string): string =>
    key.privateKey
      .export({ type, format: 'pem', ...(cipher === undefined ? {} : { cipher, passphrase: PASS }) })
      .toString();
  it.each([
    { name: 'ed25519 PKCS#8', input: () => pem(keys.ed25519, 'pkcs8'), key: keys.ed25519 },
    { name: 'rsa PKCS#1', input: () => pem(keys.rsa, 'pkcs1'), key: keys.rsa },
    { name: 'rsa PKCS#8', input: () => pem(keys.rsa, 'pkcs8'), key: keys.rsa },
    { name: 'ecdsa P-256 SEC1', input: () => pem(keys.p256, 'sec1'), key: keys.p256 },
    { name: 'ecdsa P-384 PKCS#8 after blank lines', input: () => `\n\n${pem(keys.p384, 'pkcs8')}`, key: keys.p384 },
    { name: 'OpenSSH format ed25519', input: () => opensshEd25519File(keys.ed25519, 'bob@desk'), key: keys.ed25519 },
  ])('$name: public key derived and fingerprinted', ({ input, key }) => {
    expect(privateKeyFacts(input(), false)).toEqual({
      type: key.type,
      bits: key.bits,
      fingerprint: key.fingerprint,
      isEncrypted: false,
      comment: undefined,
    });
  });

  it.each([
    {
      name: 'rsa PKCS#1 with Proc-Type ENCRYPTED',
      input: () => pem(keys.rsa, 'pkcs1', 'aes-256-cbc'),
      want: { type: 'ssh-rsa' },
    },
    {
      name: 'encrypted PKCS#8: the type is sealed too',
      input: () => pem(keys.ed25519, 'pkcs8', 'aes-256-cbc'),
      want: { type: 'unknown' },
    },
  ])('$name: encrypted, nothing derived', ({ input, want }) => {
    expect(privateKeyFacts(input(), true)).toEqual({
      ...want,
      bits: undefined,
      fingerprint: undefined,
      isEncrypted: true,
      comment: undefined,
    });
  });

  it('DSA in PEM: type and size, but no fingerprint (node:crypto has no JWK for DSA)', () => {
    const { privateKey } = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
    const text = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(privateKeyFacts(text, true)).toEqual({
      type: 'ssh-dss',
      bits: 2048,
      fingerprint: undefined,
      isEncrypted: false,
      comment: undefined,
    });
  });

  it('reads the comment of an unencrypted OpenSSH key only when asked', () => {
    const file = opensshEd25519File(keys.ed25519, 'bob@desk');
    expect(privateKeyFacts(file, true)?.comment).toBe('bob@desk');
    expect(privateKeyFacts(file, false)?.comment).toBeUndefined();
  });

  it.each([
    { name: 'plain text', input: 'Host *\n  IdentityFile ~/.ssh/id_ed25519\n', want: undefined },
    { name: 'a public key', input: keys.ed25519.publicLine('x'), want: undefined },
    { name: 'a BEGIN line without END', input: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n', want: undefined },
  ])('not a private key: $name', ({ input, want }) => {
    expect(privateKeyFacts(input, true)).toBe(want);
    expect(looksLikePrivateKey(input)).toBe(input.startsWith('-----BEGIN'));
  });

  it.each([
    {
      name: 'OpenSSH body cut short',
      input: () => opensshEd25519File(keys.ed25519, 'c').replace(/\n[^\n]+\n-----END/, '\n-----END'),
      want: /truncated/,
    },
    {
      name: 'OpenSSH without the magic',
      input: () =>
        `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from('openssh-key-v2\0 and then some more bytes').toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`,
      want: /magic/,
    },
    {
      name: 'PEM body that is not DER',
      input: () => '-----BEGIN RSA PRIVATE KEY-----\nbm90IGRlcg==\n-----END RSA PRIVATE KEY-----\n',
      want: /./,
    },
  ])('damaged: $name throws', ({ input, want }) => {
    expect(() => privateKeyFacts(input(), true)).toThrow(want);
  });
});

/** ssh-keygen writes `<path>.pub` beside each key; `ssh-keygen -l` on it is the reference. */
describe.skipIf(!hasSshKeygen)(
  'keys made by ssh-keygen agree with ssh-keygen -l (skipped: ssh-keygen is not installed)',
  () => {
    // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
    // table's.
    it.each([
      {
        name: 'ed25519, no passphrase',
        type: 'ed25519',
        bits: undefined,
        passphrase: '',
        extra: [],
        want: { type: 'ssh-ed25519', isEncrypted: false, hasFingerprint: true },
      },
      {
        name: 'rsa 2048 with a passphrase',
        type: 'rsa',
        bits: 2048,
        passphrase: PASS,
        extra: [],
        want: { type: 'ssh-rsa', isEncrypted: true, hasFingerprint: true },
      },
      {
        name: 'ecdsa 256',
        type: 'ecdsa',
        bits: 256,
        passphrase: '',
        extra: [],
        want: { type: 'ecdsa-sha2-nistp256', isEncrypted: false, hasFingerprint: true },
      },
      {
        name: 'ecdsa 521 with a passphrase',
        type: 'ecdsa',
        bits: 521,
        passphrase: PASS,
        extra: [],
        // Alike on purpose (duplicates): one row per key file ssh-keygen writes (type, bits, -m format, passphrase),
        // each with what we must report for it; spelled out so each row reads as the ssh-keygen command a user ran.
        want: { type: 'ecdsa-sha2-nistp521', isEncrypted: true, hasFingerprint: true },
      },
      {
        name: 'rsa 3072 PEM',
        type: 'rsa',
        bits: 3072,
        passphrase: '',
        extra: ['-m', 'PEM'],
        want: { type: 'ssh-rsa', isEncrypted: false, hasFingerprint: true },
      },
      {
        name: 'rsa 2048 PEM with a passphrase',
        type: 'rsa',
        bits: 2048,
        passphrase: PASS,
        extra: ['-m', 'PEM'],
        want: { type: 'ssh-rsa', isEncrypted: true, hasFingerprint: false },
      },
      {
        name: 'ecdsa 384 PEM',
        type: 'ecdsa',
        bits: 384,
        passphrase: '',
        extra: ['-m', 'PEM'],
        want: { type: 'ecdsa-sha2-nistp384', isEncrypted: false, hasFingerprint: true },
      },
      {
        name: 'rsa 2048 PKCS#8',
        type: 'rsa',
        bits: 2048,
        passphrase: '',
        extra: ['-m', 'PKCS8'],
        want: { type: 'ssh-rsa', isEncrypted: false, hasFingerprint: true },
      },
      {
        name: 'rsa 2048 PKCS#8 with a passphrase',
        type: 'rsa',
        bits: 2048,
        passphrase: PASS,
        extra: ['-m', 'PKCS8'],
        want: { type: 'unknown', isEncrypted: true, hasFingerprint: false },
      },
    ])('$name', ({ name, type, bits, passphrase, extra, want }) => {
      const path = join(dir, name.replace(/\W+/g, '-'));
      keygen(path, type, bits, passphrase, 'made by ssh-keygen', extra);
      const reference = keygenFacts(`${path}.pub`);
      const facts = privateKeyFacts(readFileSync(path, 'utf8'), true);
      expect(facts?.type).toBe(want.type);
      expect(facts?.isEncrypted).toBe(want.isEncrypted);
      expect(facts?.fingerprint).toBe(want.hasFingerprint ? reference.fingerprint : undefined);
      expect(facts?.bits).toBe(want.hasFingerprint ? reference.bits : undefined);
      // The comment is readable only in an unencrypted OpenSSH-format file.
      expect(facts?.comment).toBe(!want.isEncrypted && extra.length === 0 ? 'made by ssh-keygen' : undefined);
    });

    it.each(Object.values(keys))('ssh-keygen reads the node:crypto $name key with the fingerprint we derive', (key) => {
      const path = join(dir, `node-${key.type}-${key.bits}`);
      // OpenSSH reads no ed25519 PEM: that one goes in the OpenSSH format this file builds.
      const format = key.type === 'ssh-rsa' ? 'pkcs1' : 'sec1';
      writeFileSync(
        path,
        key.type === 'ssh-ed25519'
          ? opensshEd25519File(key, 'c')
          : key.privateKey.export({ type: format, format: 'pem' }),
      );
      chmodSync(path, 0o600);
      expect(keygenFacts(path)).toMatchObject({ fingerprint: key.fingerprint, bits: key.bits });
    });
  },
);
