import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';

/** A throwaway GNUPGHOME holding one key, and its removal for afterEach. */
export interface GpgHome {
  path: string;
  /** The key's fingerprint, lowercase hex. */
  fingerprint: string;
  /** Stops the gpg-agent the home started, then removes the home. */
  remove(): void;
}

/**
 * A fresh GNUPGHOME with one passphrase-less ed25519 signing key for `userId` (gpg --batch never
 * calls pinentry for it). For tests that skip when gpg is absent (`isGpgAvailable`).
 */
export function gpgHomeWithKey(userId: string): GpgHome {
  // Short path: gpg-agent's socket path must fit in 108 bytes.
  const path = mkdtempSync('/tmp/mig-gpg-');
  const env = { ...process.env, GNUPGHOME: path };
  execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', userId, 'ed25519', 'sign', 'never'], {
    env,
    stdio: 'ignore',
  });
  const colons = execFileSync('gpg', ['--batch', '--with-colons', '--list-secret-keys'], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  return {
    path,
    fingerprint: (/^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1] ?? '').toLowerCase(),
    remove: () => {
      execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env, stdio: 'ignore' });
      rmSync(path, { recursive: true, force: true });
    },
  };
}
