import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keyring, verifyAll } from '../protocol/signature.js';
import { loadConfig } from '../console/services/config.js';
import { isGpgAvailable } from '../console/services/gpg.js';
import { createSigner } from '../console/services/signer.js';
import { ensureIdentity } from './first-run.js';

/** First run against throwaway GnuPG homes holding real keys made by gpg here. */

const hasGpg = await isGpgAvailable({ env: process.env });

function gpg(home: string, args: string[]): string {
  return execFileSync('gpg', ['--batch', ...args], {
    env: { ...process.env, GNUPGHOME: home },
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
}

/** A passphrase-less key (gpg --batch never calls pinentry for it); returns its fingerprint. */
function makeKey(home: string, uid: string, algo: string, usage: string): string {
  gpg(home, ['--passphrase', '', '--quick-gen-key', uid, algo, usage, 'never']);
  const colons = gpg(home, ['--with-colons', '--list-secret-keys', '--', uid]);
  return (/^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1] ?? '').toLowerCase();
}

interface Run {
  created: boolean;
  output: string;
}

async function firstRun(home: string, env: NodeJS.ProcessEnv, answer?: string): Promise<Run> {
  const stdin = Object.assign(new PassThrough(), { isTTY: answer !== undefined });
  if (answer !== undefined) stdin.write(answer);
  const stderr = new PassThrough();
  let output = '';
  stderr.on('data', (c: Buffer) => (output += c.toString()));
  const created = await ensureIdentity(home, {
    env: { PATH: process.env.PATH, USER: 'dana', MIG_PASSPHRASE: '', ...env },
    stdin,
    stderr,
  });
  return { created, output };
}

async function signsAs(home: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const config = await loadConfig(home);
  const signer = await createSigner(config.signer, {
    home,
    env: { PATH: process.env.PATH, ...env },
    getPassphrase: () => Promise.resolve(''),
  });
  const bytes = new TextEncoder().encode('{"an":"action"}');
  const ring = await Keyring.fromArmored([readFileSync(join(home, 'investigator.pub.asc'), 'utf8')]);
  return verifyAll(bytes, [await signer.sign(bytes)], ring);
}

describe.skipIf(!hasGpg)('first run with a GnuPG keyring (skipped: no gpg on PATH)', () => {
  // Short paths: gpg-agent's socket path must fit in 108 bytes.
  const empty = mkdtempSync('/tmp/mig-fr-e-');
  const single = mkdtempSync('/tmp/mig-fr-s-');
  const several = mkdtempSync('/tmp/mig-fr-m-');
  let soleKey = '';
  let firstKey = '';
  let secondKey = '';
  let migHome: string;

  beforeAll(() => {
    soleKey = makeKey(single, 'Dana Sign <dana@example.test>', 'ed25519', 'sign');
    // An encryption-only key is no candidate.
    makeKey(single, 'Dana Encrypt <dana-enc@example.test>', 'rsa2048', 'encr');
    firstKey = makeKey(several, 'Dana Work <work@example.test>', 'ed25519', 'sign');
    secondKey = makeKey(several, 'Dana Home <home@example.test>', 'ed25519', 'sign');
  });
  afterAll(() => {
    for (const home of [empty, single, several]) {
      execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: home }, stdio: 'ignore' });
      rmSync(home, { recursive: true, force: true });
    }
  });
  beforeEach(() => {
    migHome = join(mkdtempSync(join(tmpdir(), 'mig-fr-home-')), 'mig');
  });
  afterEach(() => {
    rmSync(join(migHome, '..'), { recursive: true, force: true });
    if (existsSync(join(several, 'gpg.conf'))) unlinkSync(join(several, 'gpg.conf'));
  });

  it('an empty keyring: a key file is created, and the output says where and how to switch', async () => {
    const run = await firstRun(migHome, { GNUPGHOME: empty });
    expect(run.created).toBe(true);
    expect((await loadConfig(migHome)).signer).toEqual({ kind: 'keyfile', path: 'investigator.key.asc' });
    expect(run.output).toContain('no GnuPG signing key found');
    expect(run.output).toContain(`private key  ${join(migHome, 'investigator.key.asc')}`);
    expect(run.output).toContain('`mig init --gpg FINGERPRINT`');
  });

  it("one signing key: gpg signs, no key file is made, and the agents' admin key is gpg's public key", async () => {
    const run = await firstRun(migHome, { GNUPGHOME: single });
    expect((await loadConfig(migHome)).signer).toEqual({ kind: 'gpg', fingerprint: soleKey, gpgHome: single });
    expect(existsSync(join(migHome, 'investigator.key.asc'))).toBe(false);
    expect(run.output).toContain(soleKey.toUpperCase());
    expect(run.output).toContain('stays in gpg');
    expect(run.output).toContain('mig init --gpg');
    expect(await signsAs(migHome, { GNUPGHOME: single })).toEqual([soleKey]);
  });

  it("several keys: gpg.conf's default-key wins", async () => {
    writeFileSync(join(several, 'gpg.conf'), '# mine\nkeyid-format long\ndefault-key home@example.test\n');
    const run = await firstRun(migHome, { GNUPGHOME: several });
    expect((await loadConfig(migHome)).signer).toMatchObject({ kind: 'gpg', fingerprint: secondKey });
    expect(run.output).toContain('default-key');
  });

  it('several keys, a terminal: a numbered choice', async () => {
    const run = await firstRun(migHome, { GNUPGHOME: several }, '7\n2\n');
    expect(run.output).toContain(`1) ${firstKey.toUpperCase()}  Dana Work <work@example.test>`);
    expect(run.output).toContain(`2) ${secondKey.toUpperCase()}  Dana Home <home@example.test>`);
    expect(run.output).toContain('"7" is not one of 1-2');
    expect((await loadConfig(migHome)).signer).toMatchObject({ kind: 'gpg', fingerprint: secondKey });
  });

  it('several keys, no terminal: the first, with a note on how to pick another', async () => {
    const run = await firstRun(migHome, { GNUPGHOME: several });
    expect((await loadConfig(migHome)).signer).toMatchObject({ kind: 'gpg', fingerprint: firstKey });
    expect(run.output).toContain('holds 2 signing keys; using the first');
    expect(run.output).toContain(secondKey.toUpperCase());
    expect(run.output).toContain('set default-key in gpg.conf, or run `mig init --gpg FINGERPRINT`');
  });

  it('MIG_NO_GPG=1 creates a key file even when the keyring has a key', async () => {
    await firstRun(migHome, { GNUPGHOME: single, MIG_NO_GPG: '1' });
    expect((await loadConfig(migHome)).signer.kind).toBe('keyfile');
  });

  it('an existing identity is left alone', async () => {
    await firstRun(migHome, { GNUPGHOME: empty });
    const config = readFileSync(join(migHome, 'config.json'), 'utf8');
    expect((await firstRun(migHome, { GNUPGHOME: single })).created).toBe(false);
    expect(readFileSync(join(migHome, 'config.json'), 'utf8')).toBe(config);
  });
});
