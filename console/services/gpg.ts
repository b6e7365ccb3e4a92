import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { UserError } from '../../protocol/errors.js';
import type { Signer } from './signer-contract.js';

/**
 * The system-gpg backend: the private key never leaves gpg (or the smartcard behind it), and
 * gpg-agent/pinentry asks for passphrases and PINs. We only pass bytes in and read armor out.
 */
export interface GpgOptions {
  /** GNUPGHOME; undefined: the one in `env`, else gpg's default. */
  gpgHome?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** The gpg binary; tests and unusual installs may override it. */
  gpgPath?: string;
}

/** gpg ran and exited non-zero; its stderr is in the message. */
export class GpgExitError extends UserError {
  readonly exitCode: number | null;
  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(
      'SIGNER_FAILED',
      `gpg ${args.filter((a) => a.startsWith('--')).join(' ')} failed (exit ${exitCode}): ${stderr}`,
    );
    this.exitCode = exitCode;
  }
}

export interface GpgOutput {
  stdout: Buffer;
  stderr: string;
}

/** The terminal on our stdin (/dev/pts/N), when there is one and the platform says which. */
function terminalName(): string | undefined {
  if (process.stdin.isTTY !== true) return undefined;
  try {
    return readlinkSync('/proc/self/fd/0');
  } catch {
    return undefined;
  }
}

/** Runs gpg with an argument array (never a shell) and fails with gpg's own stderr. */
export function runGpg(args: readonly string[], opts: GpgOptions, stdin?: Uint8Array): Promise<GpgOutput> {
  const env = { ...opts.env };
  if (opts.gpgHome !== undefined) env.GNUPGHOME = opts.gpgHome;
  // gpg's stdin is our pipe, so gpg-agent's pinentry finds the investigator's terminal only through GPG_TTY.
  const tty = env.GPG_TTY === undefined ? terminalName() : undefined;
  if (tty !== undefined) env.GPG_TTY = tty;
  const bin = opts.gpgPath ?? 'gpg';
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const hint = 'install GnuPG, or use a key file: `mig init` without --gpg';
      reject(
        e.code === 'ENOENT'
          ? new UserError('SIGNER_FAILED', `${bin} not found on PATH`, hint, { cause: e })
          : new UserError('SIGNER_FAILED', `cannot run ${bin}: ${e.message}`, undefined, { cause: e }),
      );
    });
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code === 0) resolve({ stdout: Buffer.concat(out), stderr });
      else reject(new GpgExitError(args, code, stderr));
    });
    // gpg may exit before reading stdin (bad key): an EPIPE here is reported through 'close'.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin === undefined ? undefined : Buffer.from(stdin));
  });
}

/**
 * Resolves a key spec (fingerprint, key id, user id) to the primary fingerprint of exactly one
 * secret key, so a typo or an ambiguous id fails here and not at the first signature.
 */
export async function findSecretKey(spec: string, opts: GpgOptions): Promise<string> {
  let out: GpgOutput;
  try {
    out = await runGpg(['--batch', '--with-colons', '--list-secret-keys', '--', spec], opts);
  } catch (err) {
    // gpg exits 2 with "No secret key" when nothing matches: say it in our words.
    if (err instanceof GpgExitError) {
      throw new UserError(
        'SIGNER_FAILED',
        `gpg has no secret key ${spec}`,
        'list yours with `gpg --list-secret-keys`',
        {
          cause: err,
        },
      );
    }
    throw err;
  }
  const fingerprints = primaryFingerprints(out.stdout.toString('utf8'));
  if (fingerprints.length === 0) {
    throw new UserError('SIGNER_FAILED', `gpg has no secret key ${spec}`, 'list yours with `gpg --list-secret-keys`');
  }
  if (fingerprints.length > 1) {
    throw new UserError(
      'SIGNER_FAILED',
      `${spec} matches ${fingerprints.length} secret keys`,
      'pass the full fingerprint',
    );
  }
  return fingerprints[0] ?? '';
}

/** The `fpr` record right after each `sec` record is that primary key's fingerprint. */
function primaryFingerprints(colons: string): string[] {
  const result: string[] = [];
  let isAfterSec = false;
  for (const line of colons.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === 'sec') isAfterSec = true;
    else if (fields[0] === 'fpr' && isAfterSec) {
      result.push((fields[9] ?? '').toLowerCase());
      isAfterSec = false;
    }
  }
  return result;
}

export async function exportPublicKey(fingerprint: string, opts: GpgOptions): Promise<string> {
  const out = await runGpg(['--batch', '--armor', '--export', '--', fingerprint], opts);
  const armored = out.stdout.toString('utf8');
  if (!armored.includes('BEGIN PGP PUBLIC KEY BLOCK')) {
    throw new UserError('SIGNER_FAILED', `gpg exported no public key for ${fingerprint}`);
  }
  return armored;
}

export function createGpgSigner(fingerprint: string, opts: GpgOptions): Signer {
  const fp = fingerprint.toLowerCase();
  let publicKey: Promise<string> | undefined;
  return {
    fingerprint: fp,
    backend: 'gpg',
    async sign(bytes) {
      // Binary mode (no --textmode): signature class 0x00 over the exact bytes, as verifyDetached expects.
      const out = await runGpg(['--batch', '--yes', '--detach-sign', '--armor', '--local-user', fp], opts, bytes);
      return out.stdout.toString('utf8');
    },
    publicKeyArmored() {
      publicKey ??= exportPublicKey(fp, opts);
      return publicKey;
    },
  };
}

/** True when a gpg binary runs at all (tests skip the gpg backend only when it is absent). */
export async function isGpgAvailable(opts: GpgOptions): Promise<boolean> {
  try {
    await runGpg(['--version'], opts);
    return true;
  } catch {
    return false;
  }
}
