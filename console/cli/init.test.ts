import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { SignedActionSchema } from '../../protocol/action.js';
import { Keyring, verifyAll } from '../../protocol/signature.js';
import { unsignedAction } from '../../test/helpers/actions.js';
import { gpgHomeWithKey, type GpgHome } from '../../test/helpers/gpg.js';
import { isGpgAvailable } from '../services/gpg.js';
import { EXIT } from './main.js';
import { createHarness, type Harness } from '../../test/helpers/console/cli/harness.js';

describe('mig init (key file)', () => {
  let h: Harness;
  beforeEach(() => (h = createHarness()));
  afterEach(() => h.cleanup());

  it('creates a key (mode 0600), a public key and a config, and prints the fingerprint', async () => {
    expect(await h.run(['init', '--name', 'Dana', '--no-passphrase', '--server', 'http://mig.example.test:8765'])).toBe(
      EXIT.ok,
    );
    const keyFile = join(h.home, 'investigator.key.asc');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const pub = await openpgp.readKey({ armoredKey: readFileSync(join(h.home, 'investigator.pub.asc'), 'utf8') });
    const fp = pub.getFingerprint().toLowerCase();
    expect(h.stdout.text).toContain(`fingerprint  ${fp}`);
    expect(h.stdout.text).toContain('NO passphrase');
    expect(JSON.parse(readFileSync(join(h.home, 'config.json'), 'utf8'))).toEqual({
      serverUrl: 'http://mig.example.test:8765',
      signer: { kind: 'keyfile', path: 'investigator.key.asc' },
      name: 'Dana',
    });
    // ed25519 on the legacy curve (gpg 2.2 verifies it), as STACK-NOTES requires.
    expect(pub.getAlgorithmInfo()).toMatchObject({ algorithm: 'eddsaLegacy', curve: 'ed25519Legacy' });
  });

  it('refuses to overwrite an existing identity', async () => {
    expect(await h.run(['init', '--no-passphrase'])).toBe(EXIT.ok);
    const key = readFileSync(join(h.home, 'investigator.key.asc'), 'utf8');
    expect(await h.run(['init', '--no-passphrase'])).toBe(EXIT.error);
    expect(h.stderr.text).toContain('an investigator identity already exists');
    expect(h.stderr.text).toContain('(CONFLICT)');
    expect(readFileSync(join(h.home, 'investigator.key.asc'), 'utf8')).toBe(key);
  });

  it.each([
    { name: '--passphrase-stdin', args: ['--passphrase-stdin'], stdin: 'from stdin\n', env: {}, want: 'from stdin' },
    { name: 'MIG_PASSPHRASE', args: [], stdin: '', env: { MIG_PASSPHRASE: 'from env' }, want: 'from env' },
  ])('protects the key with a passphrase from $name', async ({ args, stdin, env, want }) => {
    h.stdin = stdin;
    Object.assign(h.env, env);
    expect(await h.run(['init', ...args])).toBe(EXIT.ok);
    const key = await openpgp.readPrivateKey({
      armoredKey: readFileSync(join(h.home, 'investigator.key.asc'), 'utf8'),
    });
    expect(key.isDecrypted()).toBe(false);
    await expect(openpgp.decryptKey({ privateKey: key, passphrase: want })).resolves.toBeDefined();
    // And the CLI signs with it, the passphrase coming from the environment.
    h.env.MIG_PASSPHRASE = want;
    const file = join(h.home, 'a.json');
    writeFileSync(file, JSON.stringify(unsignedAction()));
    expect(await h.run(['action', 'sign', file])).toBe(EXIT.ok);
  });

  it.each([
    { name: 'no passphrase source off a terminal', args: [], want: 'stdin is not a terminal' },
    { name: 'empty passphrase on stdin', args: ['--passphrase-stdin'], want: 'empty passphrase' },
    { name: 'contradicting flags', args: ['--passphrase-stdin', '--no-passphrase'], want: 'contradict' },
    { name: 'bad server URL', args: ['--no-passphrase', '--server', 'ftp://x'], want: '--server: ' },
    {
      name: 'unknown flag',
      args: ['--no-passphrse'],
      want: '--no-passphrse: expected a flag of mig init, got unknown flag --no-passphrse; did you mean -no-passphrase?',
    },
  ])('fails: $name', async ({ args, want }) => {
    expect(await h.run(['init', ...args])).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
    expect(() => statSync(join(h.home, 'config.json'))).toThrow();
  });
});

const hasGpg = await isGpgAvailable({ env: process.env });

// Alike on purpose (duplicates): a describe that skips without gpg and keeps a throwaway gpg home;
// the home itself comes from the shared gpgHomeWithKey.
describe.skipIf(!hasGpg)('mig init --gpg (skipped: no gpg binary on PATH)', () => {
  let h: Harness;
  let home: GpgHome;
  let gpgHome: string;
  beforeEach(() => {
    h = createHarness();
    home = gpgHomeWithKey('Gus <gus@example.test>');
    gpgHome = home.path;
    h.env.GNUPGHOME = gpgHome;
    h.env.PATH = process.env.PATH;
  });
  afterEach(() => {
    home.remove();
    h.cleanup();
  });

  it('uses the gpg key: config, exported public key, and signatures verifyAll accepts', async () => {
    expect(await h.run(['init', '--gpg', 'gus@example.test'])).toBe(EXIT.ok);
    const config = JSON.parse(readFileSync(join(h.home, 'config.json'), 'utf8')) as {
      signer: { kind: string; fingerprint: string; gpgHome: string };
    };
    expect(config.signer).toMatchObject({ kind: 'gpg', gpgHome });
    const pubArmored = readFileSync(join(h.home, 'investigator.pub.asc'), 'utf8');
    expect((await openpgp.readKey({ armoredKey: pubArmored })).getFingerprint()).toBe(config.signer.fingerprint);

    const file = join(h.home, 'a.json');
    writeFileSync(file, JSON.stringify(unsignedAction()));
    expect(await h.run(['action', 'sign', file])).toBe(EXIT.ok);
    const signed = SignedActionSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    const ring = await Keyring.fromArmored([pubArmored]);
    expect(await verifyAll(canonicalActionBytes(signed), signed.signatures, ring)).toEqual([config.signer.fingerprint]);
  });

  it('refuses a key gpg does not have', async () => {
    expect(await h.run(['init', '--gpg', 'nobody@example.test'])).toBe(EXIT.error);
    expect(h.stderr.text).toContain('gpg has no secret key nobody@example.test');
  });
});
