import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../protocol/errors.js';
import { describeIssues } from '../protocol/zod-issues.js';
import { SERVER_CLIENT_ID_PATTERN, newSecret, serverClientId } from './mqtt/credentials.js';
import { readIfExists } from './read-if-exists.js';

export const SecretsSchema = z.strictObject({
  /** MQTT password every agent of the fleet uses. */
  enrollmentSecret: z.string().min(16),
  /** MQTT password of the server's own client; never leaves this file. */
  serverSecret: z.string().min(16),
  /** Stable so a broker that outlives the server keeps its session (queued results). */
  serverClientId: z.string().regex(SERVER_CLIENT_ID_PATTERN),
});
export type Secrets = z.infer<typeof SecretsSchema>;

export function secretsPath(dataDir: string): string {
  return join(dataDir, 'secrets.json');
}

/** Reads `secrets.json`, creating it (mode 0600) on first start. */
export async function loadOrCreateSecrets(dataDir: string): Promise<Secrets> {
  const path = secretsPath(dataDir);
  const text = await readIfExists(path);
  if (text === undefined) {
    const secrets: Secrets = {
      enrollmentSecret: newSecret(),
      serverSecret: newSecret(),
      serverClientId: serverClientId(),
    };
    await writePrivateFile(path, `${JSON.stringify(secrets, null, 2)}\n`);
    return secrets;
  }
  // Alike on purpose (duplicates): each boundary guards JSON.parse with its own message and hint: the secrets file is
  // fixed or moved away by the operator, a PostgreSQL row (store/postgres-rows.ts) restored from a backup.
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      'CONFIG_INVALID',
      `${path}: not JSON (${(err as Error).message})`,
      'fix it, or move it away to generate new secrets (agents then need the new enrollment secret)',
    );
  }
  const parsed = SecretsSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError('CONFIG_INVALID', `${path}: ${describeIssues(parsed.error)}`, 'fix the field named above');
  return parsed.data;
}

/** tmp + rename so a reader never sees half a file; 0600 because it holds secrets. */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}
