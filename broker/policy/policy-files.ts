import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../secrets.js';

/**
 * The server's copies of bundles, as the exact text admins signed: `policy.json` (the latest
 * published) and `policy.pending.json` (signed by fewer admins than needed so far).
 */
export function serverPolicyPaths(dataDir: string): { current: string; pending: string } {
  return { current: join(dataDir, 'policy.json'), pending: join(dataDir, 'policy.pending.json') };
}

export async function writeOrRemove(path: string, text: string | undefined): Promise<void> {
  if (text === undefined) await rm(path, { force: true });
  else await writePrivateFile(path, text);
}
