import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerPasswordSchema } from '../protocol/enrollment.js';
import { UserError } from '../protocol/errors.js';

/** The broker password this agent chose (32 random bytes, base64url), mode 0600. */
export const BROKER_PASSWORD_FILE = 'broker-password';
/** Present once the server said `accepted`: start with the agent login, not an enrollment. */
export const ENROLLED_FILE = 'enrolled';

/**
 * The agent's broker credential. The agent makes the password itself and sends it once, inside
 * its signed enrollment request, to the server, which keeps only its sha256: nothing secret
 * ever travels from the server to the agent.
 */
export function loadOrCreateBrokerPassword(dataDir: string): string {
  const path = join(dataDir, BROKER_PASSWORD_FILE);
  const existing = readOptional(path);
  if (existing !== undefined) {
    const password = existing.trim();
    if (!BrokerPasswordSchema.safeParse(password).success) {
      throw new UserError(
        'CONFIG_INVALID',
        `broker password file ${path} is malformed`,
        'remove it: the agent makes a new one and enrolls again',
      );
    }
    return password;
  }
  const password = randomBytes(32).toString('base64url');
  try {
    writeFileSync(path, `${password}\n`, { flag: 'wx', mode: 0o600 });
    return password;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return loadOrCreateBrokerPassword(dataDir);
  }
}

/** Whether the server accepted this agent's credential (as far as the agent last heard). */
export function isEnrolled(dataDir: string): boolean {
  return readOptional(join(dataDir, ENROLLED_FILE)) !== undefined;
}

export function markEnrolled(dataDir: string, agentId: string, nowIso: string): void {
  writeFileSync(join(dataDir, ENROLLED_FILE), `${JSON.stringify({ agentId, acceptedAt: nowIso })}\n`, { mode: 0o600 });
}

/** The broker refused the credential: enroll again at the next connection. */
export function forgetEnrolled(dataDir: string): void {
  rmSync(join(dataDir, ENROLLED_FILE), { force: true });
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
